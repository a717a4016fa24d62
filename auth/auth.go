// Package auth holds Orchard's staff credentials: API tokens for admins and librarians, and the
// browser sessions a token is exchanged for at login. Only SHA-256 hashes of tokens and session
// ids are stored, so a copy of the store gives no one access.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/workers"
)

// Role says what a token holder may do.
type Role string

const (
	// RoleAdmin manages sources, runs and tokens, and curates.
	RoleAdmin Role = "admin"
	// RoleLibrarian curates records and watches runs.
	RoleLibrarian Role = "librarian"
)

// ParseRole accepts "admin" or "librarian".
func ParseRole(s string) (Role, error) {
	switch r := Role(strings.ToLower(strings.TrimSpace(s))); r {
	case RoleAdmin, RoleLibrarian:
		return r, nil
	}
	return "", fmt.Errorf("role %q: must be admin or librarian", s)
}

// Allows reports whether a holder of r may act with role want: an admin may do everything a
// librarian may.
func (r Role) Allows(want Role) bool {
	return r == want || r == RoleAdmin
}

// Errors callers branch on.
var (
	// ErrDenied means the token or session is unknown, revoked or expired.
	ErrDenied = errors.New("invalid or expired credentials")
)

// Bucket is the document bucket tokens are kept in; the server and `orchard token` share it.
const Bucket = "tokens"

// Store keeps small JSON documents by key; workers.Docs satisfies it. A missing key is an
// error wrapping workers.ErrNotFound.
type Store interface {
	Get(ctx context.Context, key string, v any) (uint64, error)
	Put(ctx context.Context, key string, v any) (uint64, error)
	Create(ctx context.Context, key string, v any) (uint64, error)
	Delete(ctx context.Context, key string) error
}

// Token is what is stored for an issued token.
type Token struct {
	Role    Role      `json:"role"`
	Name    string    `json:"name,omitempty"`
	Created time.Time `json:"created"`
}

// tokenPrefix makes Orchard tokens recognisable in logs and secret scanners.
const tokenPrefix = "orch_"

// Secret returns a new unguessable string: 32 random bytes, URL-safe base64.
func Secret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash is the stored form of a secret: hex SHA-256, usable as a store key.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Create issues a token with role and an optional name, stores its hash and returns the
// plaintext, which is shown once and never stored.
func Create(ctx context.Context, store Store, role Role, name string) (string, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	plain := tokenPrefix + Secret()
	t := Token{Role: role, Name: strings.TrimSpace(name), Created: time.Now().UTC()}
	if _, err := store.Create(ctx, Hash(plain), t); err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return plain, nil
}

// Verify returns the token stored for plaintext, or ErrDenied.
func Verify(ctx context.Context, store Store, plaintext string) (Token, error) {
	if !strings.HasPrefix(plaintext, tokenPrefix) || len(plaintext) > 128 {
		return Token{}, ErrDenied
	}
	var t Token
	if _, err := store.Get(ctx, Hash(plaintext), &t); err != nil {
		if errors.Is(err, workers.ErrNotFound) {
			return Token{}, ErrDenied
		}
		return Token{}, fmt.Errorf("verify token: %w", err)
	}
	return t, nil
}

// Revoke deletes the token whose plaintext or hash is given.
func Revoke(ctx context.Context, store Store, plaintextOrHash string) error {
	key := plaintextOrHash
	if strings.HasPrefix(key, tokenPrefix) {
		key = Hash(key)
	}
	if err := store.Delete(ctx, key); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// Session is a logged-in browser. Its CSRF secret is bound to it: forms carry it back.
type Session struct {
	Role    Role      `json:"role"`
	Name    string    `json:"name,omitempty"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

// StartSession exchanges a verified token for a session lasting ttl and returns the session id
// for the cookie; only its hash is stored.
func StartSession(ctx context.Context, store Store, t Token, ttl time.Duration) (string, Session, error) {
	id := Secret()
	s := Session{Role: t.Role, Name: t.Name, CSRF: Secret(), Expires: time.Now().Add(ttl).UTC()}
	if _, err := store.Create(ctx, Hash(id), s); err != nil {
		return "", Session{}, fmt.Errorf("start session: %w", err)
	}
	return id, s, nil
}

// LoadSession returns the live session with that id, or ErrDenied. Expired sessions are removed.
func LoadSession(ctx context.Context, store Store, id string) (Session, error) {
	if id == "" || len(id) > 128 {
		return Session{}, ErrDenied
	}
	var s Session
	if _, err := store.Get(ctx, Hash(id), &s); err != nil {
		if errors.Is(err, workers.ErrNotFound) {
			return Session{}, ErrDenied
		}
		return Session{}, fmt.Errorf("load session: %w", err)
	}
	if time.Now().After(s.Expires) {
		_ = store.Delete(ctx, Hash(id))
		return Session{}, ErrDenied
	}
	return s, nil
}

// EndSession removes a session.
func EndSession(ctx context.Context, store Store, id string) error {
	if id == "" {
		return nil
	}
	if err := store.Delete(ctx, Hash(id)); err != nil {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
