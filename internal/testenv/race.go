//go:build race

package testenv

// raceFactor widens heap bounds under the race detector, which keeps every allocation longer
// (sync.Pool drops what it is given) and so lets the heap in use reach about twice its height.
const raceFactor = 2
