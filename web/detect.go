package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/orchard-oer/orchard/harvester"
	"github.com/orchard-oer/orchard/harvester/site"
	"github.com/orchard-oer/orchard/probe"
)

// DetectFunc finds what a URL is and so the source type, web mode and URL to harvest it with;
// probe.Prober.Detect is one.
type DetectFunc func(ctx context.Context, url string) (probe.Detection, error)

// errNoDetect is the answer to a source without a type on a server that cannot detect one.
var errNoDetect = errors.New("detecting a source's type is not available on this server: give a type")

// detectSource fills in a source's type, web mode and URL from what its URL is when its type
// is empty, and checks a given type and mode against it when check is set. A given type stays
// when its URL cannot be read, so that a source whose site is down can still be added. A
// source listing its pages (mode urls) is a web source and is not looked at.
func (s *Server) detectSource(ctx context.Context, check bool, typ, mode, url *string) (*probe.Detection, error) {
	if *mode == site.ModeURLs {
		if *typ == "" {
			*typ = harvester.TypeWeb
		}
		return nil, nil
	}
	if *typ != "" && !check {
		return nil, nil
	}
	if s.detect == nil {
		if *typ == "" {
			return nil, errNoDetect
		}
		return nil, nil
	}
	d, err := s.detect(ctx, strings.TrimSpace(*url))
	if err != nil {
		if *typ != "" && ctx.Err() == nil {
			return nil, nil
		}
		return nil, err
	}
	if err := d.Check(*typ, *mode); err != nil {
		return nil, &ParamError{"type", err.Error()}
	}
	*typ, *url = d.Type, d.URL
	if d.Type == harvester.TypeWeb {
		*mode = d.Mode
	}
	return &d, nil
}

// probeError is the status and error to answer for a failed probe or detection.
func probeError(err error) (int, error) {
	switch {
	case errors.Is(err, probe.ErrUnknownType):
		return http.StatusBadRequest, &ParamError{"type", err.Error()}
	case errors.Is(err, errNoDetect):
		return http.StatusServiceUnavailable, err
	case errors.Is(err, probe.ErrUndetected):
		return http.StatusBadRequest, &ParamError{"url", err.Error()}
	}
	switch harvester.KindOf(err) {
	case harvester.KindInvalid:
		return http.StatusBadRequest, &ParamError{"url", err.Error()}
	case harvester.KindPermanent, harvester.KindTransient:
		return http.StatusBadGateway, err
	}
	return statusOf(err), err
}

// detectedLine is the one line the form shows for a detection.
func detectedLine(d *probe.Detection) string {
	if d == nil {
		return ""
	}
	return fmt.Sprintf("Detected: %s.", d)
}
