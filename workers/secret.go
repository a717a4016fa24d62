package workers

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
)

// secretsBucket holds keys that every Orchard process of one system must share.
const secretsBucket = "secrets"

// Secret returns the random key of that name, made of size bytes the first time any process
// asks for it: processes sharing the NATS share the key, so that what one signs the others
// accept.
func (s *System) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	d, err := s.Docs(ctx, secretsBucket)
	if err != nil {
		return nil, err
	}
	var key []byte
	if _, err := d.Get(ctx, name, &key); err == nil {
		return key, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	key = make([]byte, size)
	_, _ = rand.Read(key) // never fails
	if _, err := d.Create(ctx, name, key); errors.Is(err, ErrExists) {
		// Another process made it first: use theirs.
		if _, err := d.Get(ctx, name, &key); err != nil {
			return nil, fmt.Errorf("secret %s: %w", name, err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	return key, nil
}
