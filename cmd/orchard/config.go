package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/orchard-oer/orchard/catalog/meili"
	"github.com/orchard-oer/orchard/harvester/fetch"
	"github.com/orchard-oer/orchard/thumbnail"
	"github.com/orchard-oer/orchard/web"
	"github.com/orchard-oer/orchard/workers"
)

// Config is Orchard's whole configuration. It is read once by viper in this package and
// handed to the other packages as typed values. Every leaf is a key of the file (its
// mapstructure path), an ORCHARD_* variable and a global flag (the path with dashes), all
// derived from this struct; help is the flag's description.
type Config struct {
	DataDir string    `mapstructure:"data_dir" help:"directory for the embedded index and NATS store"`
	Log     LogConfig `mapstructure:"log"`
	HTTP    struct {
		Addr string `mapstructure:"addr" help:"listen address of the web pages and API"`
		// BaseURL is where users reach Orchard, for absolute links; empty follows Addr.
		BaseURL         string        `mapstructure:"base_url" help:"public URL of Orchard, for absolute links (default http:// and http.addr)"`
		TrustProxy      bool          `mapstructure:"trust_proxy" help:"take the client IP from X-Forwarded-For (only behind a proxy that sets it)"`
		SecureCookies   bool          `mapstructure:"secure_cookies" help:"mark cookies Secure (behind a TLS-terminating proxy)"`
		SessionTTL      time.Duration `mapstructure:"session_ttl" help:"how long a staff login lasts"`
		SearchRate      float64       `mapstructure:"search_rate" help:"anonymous searches per second per client"`
		SearchBurst     int           `mapstructure:"search_burst" help:"anonymous searches a client may make at once"`
		ShutdownTimeout time.Duration `mapstructure:"shutdown_timeout" help:"how long in-flight requests may take once a stop is asked for"`
		MetricsToken    string        `mapstructure:"metrics_token" secret:"true" help:"bearer token that /metrics requires from any client"`
		MetricsAddr     string        `mapstructure:"metrics_addr" help:"serve /metrics on this address only, not on http.addr"`
		WriteRate       float64       `mapstructure:"write_rate" help:"anonymous writes (toolkits) per second per client"`
		WriteBurst      int           `mapstructure:"write_burst" help:"anonymous writes a client may make at once"`
		SitemapSize     int           `mapstructure:"sitemap_size" help:"record pages per sitemap file; a larger catalog gets a sitemap index (default 50000)"`
	} `mapstructure:"http"`
	Catalog struct {
		Meilisearch struct {
			URL         string        `mapstructure:"url" help:"Meilisearch URL; empty uses the embedded index"`
			Key         string        `mapstructure:"key" secret:"true" help:"Meilisearch master or admin key, for writes"`
			SearchKey   string        `mapstructure:"search_key" secret:"true" help:"Meilisearch search-only key, for reads"`
			Index       string        `mapstructure:"index" help:"Meilisearch index uid"`
			Timeout     time.Duration `mapstructure:"timeout" help:"Meilisearch request timeout"`
			TaskTimeout time.Duration `mapstructure:"task_timeout" help:"longest wait for one Meilisearch indexing task"`
		} `mapstructure:"meilisearch"`
	} `mapstructure:"catalog"`
	NATS struct {
		URL      string `mapstructure:"url" help:"NATS servers (comma-separated); empty starts an embedded server"`
		Creds    string `mapstructure:"creds" help:"NATS credentials file"`
		Token    string `mapstructure:"token" secret:"true" help:"NATS token"`
		User     string `mapstructure:"user" help:"NATS user name, with nats.password"`
		Password string `mapstructure:"password" secret:"true" help:"NATS password of nats.user"`
		CA       string `mapstructure:"ca" help:"PEM file of the CA that signed the NATS servers' certificates"`
		Cert     string `mapstructure:"cert" help:"NATS client certificate (PEM)"`
		Key      string `mapstructure:"key" help:"NATS client key (PEM)"`
		Replicas int    `mapstructure:"replicas" help:"replicas of new streams and buckets: 1 embedded, 3 on a cluster"`
		// Listen makes the embedded server listen on a loopback address so that CLI commands
		// and workers in other processes can reach it.
		Listen       string `mapstructure:"listen" help:"loopback address of the embedded NATS server, for the CLI and local workers"`
		DocsMaxBytes int64  `mapstructure:"docs_max_bytes" help:"bytes each document bucket (tokens, sessions, decisions, ...) may hold, toolkits apart"`
	} `mapstructure:"nats"`
	// Toolkit bounds what anonymous learners can store.
	Toolkit struct {
		// ExpireAfter removes a toolkit neither changed nor viewed for this long; 0 keeps them.
		ExpireAfter time.Duration `mapstructure:"expire_after" help:"remove toolkits neither changed nor viewed for this long; 0 keeps them"`
		MaxBytes    int64         `mapstructure:"max_bytes" help:"bytes the toolkit store may hold"`
	} `mapstructure:"toolkit"`
	Workers struct {
		Count        int           `mapstructure:"count" help:"concurrent harvest jobs in this process"`
		AckWait      time.Duration `mapstructure:"ack_wait" help:"how long a job may go without a heartbeat before it is redelivered"`
		MaxDeliver   int           `mapstructure:"max_deliver" help:"tries of a job before it goes to the dead letters"`
		Backoff      time.Duration `mapstructure:"backoff" help:"first delay before a failed job is retried (doubles per try)"`
		MaxBackoff   time.Duration `mapstructure:"max_backoff" help:"longest delay before a failed job is retried"`
		IndexRetry   time.Duration `mapstructure:"index_retry" help:"how long one page retries catalog writes before the job is handed back"`
		DrainTimeout time.Duration `mapstructure:"drain_timeout" help:"how long a stopping worker waits for jobs to reach a checkpoint"`
		History      int           `mapstructure:"history" help:"runs kept per source"`
		Rescan       time.Duration `mapstructure:"rescan" help:"how often the scheduler rereads the sources"`
		HTTPAddr     string        `mapstructure:"http_addr" help:"listen address of a worker's /healthz, /readyz and /metrics (empty: none)"`

		// FullEvery and SweepMinShare rule sweeps of records that vanished from their source.
		FullEvery     time.Duration `mapstructure:"full_every" help:"scheduled runs of sources that drop records unannounced are full this often; negative: never"`
		SweepMinShare float64       `mapstructure:"sweep_min_share" help:"least share of a source's records a full run must see to remove the rest without confirmation"`
	} `mapstructure:"workers"`
	Harvest struct {
		UserAgent            string        `mapstructure:"user_agent" help:"User-Agent of harvest requests (default names Orchard and harvest.contact)"`
		Contact              string        `mapstructure:"contact" help:"URL or mail address where repository operators reach you"`
		AllowPrivateNetworks bool          `mapstructure:"allow_private_networks" help:"let sources added through the server reach loopback and private addresses"`
		Pace                 time.Duration `mapstructure:"pace" help:"least time between two requests to one host"`
		StartPace            time.Duration `mapstructure:"start_pace" help:"time between requests a host starts at, before pacing has learned how fast it may go (0: 4x pace, at most 1s)"`
		Timeout              time.Duration `mapstructure:"timeout" help:"longest time of one harvest request"`
		ConnectTimeout       time.Duration `mapstructure:"connect_timeout" help:"longest TCP connect and TLS handshake of a harvest request"`
		HeaderTimeout        time.Duration `mapstructure:"header_timeout" help:"longest wait for a harvest response's headers"`
		MaxBody              int64         `mapstructure:"max_body" help:"largest harvest response in bytes, after decompression"`
		MaxPace              time.Duration `mapstructure:"max_pace" help:"how far a host's refusals may stretch the time between requests"`
		MaxRetries           int           `mapstructure:"max_retries" help:"retries of a failed harvest request (negative: none)"`
		MaxRedirects         int           `mapstructure:"max_redirects" help:"redirects a harvest request follows (negative: none)"`
		BackoffBase          time.Duration `mapstructure:"backoff_base" help:"first backoff before a harvest request is retried (doubles per retry)"`
		BackoffMax           time.Duration `mapstructure:"backoff_max" help:"longest backoff before a harvest request is retried"`
		MaxRetryAfter        time.Duration `mapstructure:"max_retry_after" help:"longest Retry-After a host may ask for; longer ones are cut"`
		BodyStall            time.Duration `mapstructure:"body_stall" help:"longest wait for the next bytes of a harvest response, and how long before min_body_rate applies"`
		MinBodyRate          int64         `mapstructure:"min_body_rate" help:"least bytes a second a harvest response must average once body_stall has passed"`
		MaxPages             int           `mapstructure:"max_pages" help:"pages of a run whose source sets no max_pages; 0 for no limit (a crawl stops at 1000)"`
	} `mapstructure:"harvest"`
	// Links configures the checker of records' landing pages.
	Links struct {
		Enabled       bool          `mapstructure:"enabled" help:"check records' landing pages and withhold from learners those that stay gone"`
		Interval      time.Duration `mapstructure:"interval" help:"time between two rounds of link checks"`
		Batch         int           `mapstructure:"batch" help:"most links one round checks"`
		Recheck       time.Duration `mapstructure:"recheck" help:"least time between two checks of a link that answers"`
		Failures      int           `mapstructure:"failures" help:"failed checks in a row that make a link broken"`
		Span          time.Duration `mapstructure:"span" help:"least time from a link's first failure to its being marked broken"`
		BrokenRecheck time.Duration `mapstructure:"broken_recheck" help:"how often a broken link is checked again"`
		MaxBytes      int64         `mapstructure:"max_bytes" help:"bytes the link state bucket may hold"`
	} `mapstructure:"links"`
	// Thumbnails are records' pictures, fetched after indexing and served by Orchard itself.
	Thumbnails struct {
		Enabled       bool  `mapstructure:"enabled" help:"fetch records' pictures and show them as thumbnails"`
		MaxBytes      int64 `mapstructure:"max_bytes" help:"largest picture fetched, in bytes"`
		MaxPixels     int64 `mapstructure:"max_pixels" help:"most pixels (width × height) a picture may declare; larger ones are not decoded"`
		Size          int   `mapstructure:"size" help:"longest side of a thumbnail in pixels"`
		Workers       int   `mapstructure:"workers" help:"pictures fetched at once by a process with workers"`
		StoreMaxBytes int64 `mapstructure:"store_max_bytes" help:"bytes the thumbnail store may hold"`
	} `mapstructure:"thumbnails"`
	OAI struct {
		// AdminEmail is the OAI-PMH repository's contact, which the protocol requires: without
		// it /oai is not served.
		AdminEmail string `mapstructure:"admin_email" help:"contact of the OAI-PMH repository at /oai; without it /oai is off"`
	} `mapstructure:"oai"`
	// Server and Token are what CLI commands use to reach a running Orchard.
	Server string `mapstructure:"server" help:"URL of a running Orchard, for commands that talk to one (default follows http.addr)"`
	Token  string `mapstructure:"token" secret:"true" help:"admin or librarian token for a running Orchard"`
}

// LogConfig selects the log level and format.
type LogConfig struct {
	Level  string `mapstructure:"level" help:"log level: debug, info, warn, error"`
	Format string `mapstructure:"format" help:"log format: text or json"`
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "orchard")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "orchard")
	}
	return "orchard-data"
}

// setDefaults sets the defaults that are Orchard's own; a key left at zero takes the default
// of the package it configures.
func setDefaults(v *viper.Viper) {
	v.SetDefault("data_dir", defaultDataDir())
	v.SetDefault("log.level", "info")
	v.SetDefault("log.format", "text")
	v.SetDefault("http.addr", "127.0.0.1:8080")
	v.SetDefault("catalog.meilisearch.index", "records")
	v.SetDefault("catalog.meilisearch.timeout", 30*time.Second)
	v.SetDefault("nats.replicas", 1)
	v.SetDefault("nats.listen", "127.0.0.1:4222")
	v.SetDefault("nats.docs_max_bytes", workers.DefaultDocsMaxBytes)
	v.SetDefault("toolkit.expire_after", 180*24*time.Hour)
	v.SetDefault("toolkit.max_bytes", 256<<20)
	v.SetDefault("workers.count", 2)
	v.SetDefault("harvest.pace", fetch.DefaultPace)
	v.SetDefault("harvest.timeout", 60*time.Second)
	links := workers.DefaultLinkConfig()
	v.SetDefault("links.enabled", true)
	v.SetDefault("links.interval", links.Interval)
	v.SetDefault("links.batch", links.Batch)
	v.SetDefault("links.recheck", links.Recheck)
	v.SetDefault("links.failures", links.Policy.Failures)
	v.SetDefault("links.span", links.Policy.Span)
	v.SetDefault("links.broken_recheck", links.Policy.BrokenRecheck)
	v.SetDefault("links.max_bytes", 16<<20)
	v.SetDefault("thumbnails.enabled", true)
	v.SetDefault("thumbnails.workers", 2)
	v.SetDefault("thumbnails.store_max_bytes", workers.DefaultThumbsMaxBytes)
	// The rest come from the packages that apply them, so that `config show` and --help tell
	// the values in force instead of 0.
	for prefix, defaults := range map[string]any{
		"http.":                web.DefaultConfig(),
		"nats.":                workers.DefaultConfig(),
		"workers.":             workers.DefaultConfig(),
		"harvest.":             fetch.DefaultConfig(),
		"catalog.meilisearch.": meili.DefaultConfig(),
		"thumbnails.":          thumbnail.Limits{}.WithDefaults(),
	} {
		packageDefaults(v, prefix, reflect.ValueOf(defaults))
	}
}

// packageDefaults sets the default of every key under prefix that has none yet from the field
// of the same name in a package's default configuration.
func packageDefaults(v *viper.Viper, prefix string, defaults reflect.Value) {
	for _, s := range settings() {
		rest, ok := strings.CutPrefix(s.key, prefix)
		if !ok || strings.Contains(rest, ".") || v.Get(s.key) != nil {
			continue
		}
		f := defaults.FieldByName(reflect.TypeFor[Config]().FieldByIndex(s.index).Name)
		if f.IsValid() && f.Type() == s.typ && !f.IsZero() {
			v.SetDefault(s.key, f.Interface())
		}
	}
}

// setting is one leaf of Config: its key, and where it sits in the struct.
type setting struct {
	key    string // data_dir, http.addr
	index  []int
	typ    reflect.Type
	help   string
	secret bool
}

// flag is the setting's global flag: the key with dashes (http.trust_proxy: --http-trust-proxy).
func (s setting) flag() string {
	return strings.NewReplacer(".", "-", "_", "-").Replace(s.key)
}

// settings lists every leaf of Config, in declaration order.
func settings() []setting {
	var out []setting
	var walk func(t reflect.Type, prefix string, index []int)
	walk = func(t reflect.Type, prefix string, index []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			key := prefix + strings.Split(f.Tag.Get("mapstructure"), ",")[0]
			idx := append(append([]int(nil), index...), i)
			if f.Type.Kind() == reflect.Struct && f.Type != durationType {
				walk(f.Type, key+".", idx)
				continue
			}
			out = append(out, setting{key: key, index: idx, typ: f.Type, help: f.Tag.Get("help"), secret: f.Tag.Get("secret") == "true"})
		}
	}
	walk(reflect.TypeOf(Config{}), "", nil)
	return out
}

var durationType = reflect.TypeOf(time.Duration(0))

// addConfigFlags gives every setting a global flag. The flags carry no defaults of their own:
// an unset flag leaves the key to the environment, the file and the defaults.
func addConfigFlags(fs *pflag.FlagSet) {
	v := viper.New()
	setDefaults(v)
	for _, s := range settings() {
		help := s.help
		if d := v.Get(s.key); d != nil && !s.secret {
			help += fmt.Sprintf(" (default %v)", d)
		}
		switch s.typ {
		case durationType:
			fs.Duration(s.flag(), 0, help)
		default:
			switch s.typ.Kind() {
			case reflect.Bool:
				fs.Bool(s.flag(), false, help)
			case reflect.Int:
				fs.Int(s.flag(), 0, help)
			case reflect.Int64:
				fs.Int64(s.flag(), 0, help)
			case reflect.Float64:
				fs.Float64(s.flag(), 0, help)
			default:
				fs.String(s.flag(), "", help)
			}
		}
	}
}

// loadConfig reads defaults, then the config file, then ORCHARD_* variables, then flags: each
// later layer wins. file is the --config flag ("" searches the usual places).
func loadConfig(file string, flags *pflag.FlagSet) (*Config, string, error) {
	v := viper.NewWithOptions(viper.ExperimentalBindStruct())
	setDefaults(v)
	v.SetConfigType("yaml")
	if file == "" {
		file = findConfig()
	}
	if file != "" {
		if abs, err := filepath.Abs(file); err == nil {
			file = abs
		}
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return nil, "", fmt.Errorf("read config %s: %s", file, strings.ReplaceAll(err.Error(), "\n", " "))
		}
		if err := checkKeys(file); err != nil {
			return nil, file, err
		}
	}
	used := v.ConfigFileUsed()
	v.SetEnvPrefix("ORCHARD")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if flags != nil {
		for _, s := range settings() {
			if f := flags.Lookup(s.flag()); f != nil {
				if err := v.BindPFlag(s.key, f); err != nil {
					return nil, used, fmt.Errorf("flag --%s: %w", s.flag(), err)
				}
			}
		}
	}
	var cfg Config
	if err := v.Unmarshal(&cfg); err != nil {
		where := "environment"
		if used != "" {
			where = used
		}
		return nil, used, fmt.Errorf("config %s: %s", where, unmarshalMessage(err))
	}
	cfg.derive()
	return &cfg, used, nil
}

// checkKeys refuses a configuration file with a key Orchard does not know, so that a
// misspelled setting is not silently ignored.
func checkKeys(file string) error {
	fv := viper.New()
	fv.SetConfigType("yaml")
	fv.SetConfigFile(file)
	if err := fv.ReadInConfig(); err != nil {
		return fmt.Errorf("read config %s: %w", file, err)
	}
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.key] = true
		// A section left empty ("nats:" with its keys commented out) reads as a key.
		for i, c := range s.key {
			if c == '.' {
				known[s.key[:i]] = true
			}
		}
	}
	var unknown []string
	for _, k := range fv.AllKeys() {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	noun := "key"
	if len(unknown) > 1 {
		noun = "keys"
	}
	return fmt.Errorf("config %s: unknown %s %s (`orchard config show` lists every key)", file, noun, strings.Join(unknown, ", "))
}

// derive fills the settings whose defaults follow others: the CLI reaches the server on
// http.addr, and absolute links name it too unless http.base_url says otherwise.
func (c *Config) derive() {
	local := "http://" + dialable(c.HTTP.Addr)
	if c.Server == "" {
		c.Server = local
	}
	if c.HTTP.BaseURL == "" {
		c.HTTP.BaseURL = local
	}
}

// dialable turns a listen address into one a client on this machine can dial: a wildcard
// host (":8080", "0.0.0.0:8080", "[::]:8080") becomes loopback.
func dialable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// unmarshalMessage turns mapstructure's multi-line report into one line that names each key.
func unmarshalMessage(err error) string {
	var parts []string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "decoding failed") {
			continue
		}
		parts = append(parts, strings.TrimPrefix(line, "* "))
	}
	return strings.Join(parts, "; ")
}

// findConfig returns the first orchard.yaml (or .yml) in the current directory,
// $XDG_CONFIG_HOME/orchard (~/.config/orchard) and /etc/orchard, or "".
func findConfig() string {
	dirs := []string{"."}
	if d := os.Getenv("XDG_CONFIG_HOME"); d != "" {
		dirs = append(dirs, filepath.Join(d, "orchard"))
	} else if h, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(h, ".config", "orchard"))
	}
	dirs = append(dirs, "/etc/orchard")
	for _, d := range dirs {
		for _, name := range []string{"orchard.yaml", "orchard.yml"} {
			p := filepath.Join(d, name)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
				return p
			}
		}
	}
	return ""
}

// masked returns the configuration as nested maps with every secret replaced by "********".
func masked(cfg *Config) map[string]any {
	return structMap(reflect.ValueOf(*cfg))
}

func structMap(v reflect.Value) map[string]any {
	out := map[string]any{}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("mapstructure"), ",")[0]
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fv := v.Field(i)
		switch {
		case f.Type.Kind() == reflect.Struct && f.Type != durationType:
			out[name] = structMap(fv)
		case f.Tag.Get("secret") == "true" && fv.String() != "":
			out[name] = "********"
		case f.Type == durationType:
			out[name] = time.Duration(fv.Int()).String()
		default:
			out[name] = fv.Interface()
		}
	}
	return out
}
