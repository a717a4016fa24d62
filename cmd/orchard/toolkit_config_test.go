package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/orchard-oer/orchard/toolkit"
)

func TestToolkitConfig(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		env   map[string]string
		flags []string
		want  time.Duration
	}{
		{"default", "", nil, nil, 180 * 24 * time.Hour},
		{"file", "toolkit:\n  expire_after: 720h\n", nil, nil, 720 * time.Hour},
		{"env beats file", "toolkit:\n  expire_after: 720h\n", map[string]string{"ORCHARD_TOOLKIT_EXPIRE_AFTER": "48h"}, nil, 48 * time.Hour},
		{"flag beats env", "", map[string]string{"ORCHARD_TOOLKIT_EXPIRE_AFTER": "48h"}, []string{"--toolkit-expire-after", "1h"}, time.Hour},
		{"zero keeps toolkits", "toolkit:\n  expire_after: 0s\n", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			t.Chdir(dir)
			if tt.file != "" {
				if err := os.WriteFile(filepath.Join(dir, "orchard.yaml"), []byte(tt.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fs := newRootCmd().PersistentFlags()
			if err := fs.Parse(tt.flags); err != nil {
				t.Fatal(err)
			}
			cfg, _, err := loadConfig("", fs)
			if err != nil {
				t.Fatal(err)
			}
			a := &app{cfg: cfg}
			lim := a.workersConfig("orchard test", "").Docs[toolkit.Bucket]
			if cfg.Toolkit.ExpireAfter != tt.want || lim.Expire != tt.want || lim.MaxBytes != 256<<20 {
				t.Errorf("toolkit.expire_after = %s, workers get %+v; want %s and 256 MiB", cfg.Toolkit.ExpireAfter, lim, tt.want)
			}
		})
	}
	// config show lists the keys with the others.
	m := showConfig(t, isolate(t))
	if get(m, "toolkit.expire_after") != "4320h0m0s" || get(m, "toolkit.max_bytes") != 256<<20 || get(m, "nats.docs_max_bytes") != 64<<20 {
		t.Errorf("config show: toolkit %v, nats.docs_max_bytes %v", get(m, "toolkit"), get(m, "nats.docs_max_bytes"))
	}
}
