package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/orchard-oer/orchard/amb"
	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/oaiprovider"
	"github.com/orchard-oer/orchard/web"
	"github.com/orchard-oer/orchard/workers"
)

// baseURL is where harvesters and visitors reach this Orchard: http.base_url, else the
// listen address.
func (a *app) baseURL() string {
	if b := a.cfg.HTTP.BaseURL; b != "" {
		return strings.TrimRight(b, "/")
	}
	return "http://" + a.cfg.HTTP.Addr
}

// oaiRepository builds the OAI-PMH repository served at /oai, or nil when no admin email is
// configured (the protocol requires one). Its token key is kept in NATS, so that every API
// process of a system accepts the tokens of the others.
func (a *app) oaiRepository(ctx context.Context, sys *workers.System, idx catalog.Index) (web.OAIRepository, error) {
	email := a.cfg.OAI.AdminEmail
	if email == "" {
		a.log.Info("OAI-PMH repository off: set oai.admin_email to serve /oai")
		return nil, nil
	}
	key, err := sys.Secret(ctx, "oai-token-key", 32)
	if err != nil {
		return nil, err
	}
	p, err := oaiprovider.New(oaiprovider.Config{BaseURL: a.baseURL() + "/oai", AdminEmails: []string{email}, Key: key}, idx, sys, a.log)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// exportFormat is how `orchard export --format` writes a record.
func (a *app) exportFormat(format string) (func(*catalog.Record) any, error) {
	switch format {
	case "jsonl":
		return func(r *catalog.Record) any { return r }, nil
	case "jsonld":
		site := amb.Site{BaseURL: a.baseURL()}
		return func(r *catalog.Record) any { return amb.Describe(site, r) }, nil
	}
	return nil, fmt.Errorf("export: --format %q: want jsonl or jsonld", format)
}
