package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
)

// Config is Orchard's whole configuration. It is read once by viper in this package and
// handed to the other packages as typed values.
type Config struct {
	DataDir string    `mapstructure:"data_dir"`
	Log     LogConfig `mapstructure:"log"`
	HTTP    struct {
		Addr    string `mapstructure:"addr"`
		BaseURL string `mapstructure:"base_url"`
	} `mapstructure:"http"`
	Catalog struct {
		Meilisearch struct {
			URL       string        `mapstructure:"url"`
			Key       string        `mapstructure:"key" secret:"true"`
			SearchKey string        `mapstructure:"search_key" secret:"true"`
			Index     string        `mapstructure:"index"`
			Timeout   time.Duration `mapstructure:"timeout"`
		} `mapstructure:"meilisearch"`
	} `mapstructure:"catalog"`
	NATS struct {
		URL      string `mapstructure:"url"`
		Creds    string `mapstructure:"creds"`
		Token    string `mapstructure:"token" secret:"true"`
		CA       string `mapstructure:"ca"`
		Cert     string `mapstructure:"cert"`
		Key      string `mapstructure:"key"`
		Replicas int    `mapstructure:"replicas"`
		// Listen makes the embedded server listen on a loopback address so that CLI commands
		// and workers in other processes can reach it.
		Listen string `mapstructure:"listen"`
	} `mapstructure:"nats"`
	Workers struct {
		Count int `mapstructure:"count"`
	} `mapstructure:"workers"`
	Harvest struct {
		UserAgent            string        `mapstructure:"user_agent"`
		Contact              string        `mapstructure:"contact"`
		AllowPrivateNetworks bool          `mapstructure:"allow_private_networks"`
		Pace                 time.Duration `mapstructure:"pace"`
		Timeout              time.Duration `mapstructure:"timeout"`
		// MaxPages bounds the pages of a run whose source sets no max_pages; 0 for none.
		MaxPages int `mapstructure:"max_pages"`
	} `mapstructure:"harvest"`
	// Server and Token are what CLI commands use to reach a running Orchard.
	Server string `mapstructure:"server"`
	Token  string `mapstructure:"token" secret:"true"`
}

// LogConfig selects the log level and format.
type LogConfig struct {
	Level  string `mapstructure:"level"`
	Format string `mapstructure:"format"` // text or json
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

func setDefaults(v *viper.Viper) {
	v.SetDefault("data_dir", defaultDataDir())
	v.SetDefault("log.level", "info")
	v.SetDefault("log.format", "text")
	v.SetDefault("http.addr", "127.0.0.1:8080")
	v.SetDefault("http.base_url", "")
	v.SetDefault("catalog.meilisearch.url", "")
	v.SetDefault("catalog.meilisearch.key", "")
	v.SetDefault("catalog.meilisearch.search_key", "")
	v.SetDefault("catalog.meilisearch.index", "records")
	v.SetDefault("catalog.meilisearch.timeout", 30*time.Second)
	v.SetDefault("nats.url", "")
	v.SetDefault("nats.creds", "")
	v.SetDefault("nats.token", "")
	v.SetDefault("nats.ca", "")
	v.SetDefault("nats.cert", "")
	v.SetDefault("nats.key", "")
	v.SetDefault("nats.replicas", 1)
	v.SetDefault("nats.listen", "127.0.0.1:4222")
	v.SetDefault("workers.count", 2)
	v.SetDefault("harvest.user_agent", "Orchard/1.0")
	v.SetDefault("harvest.contact", "")
	v.SetDefault("harvest.allow_private_networks", false)
	v.SetDefault("harvest.pace", time.Second)
	v.SetDefault("harvest.timeout", 60*time.Second)
	v.SetDefault("harvest.max_pages", 0)
	v.SetDefault("server", "http://127.0.0.1:8080")
	v.SetDefault("token", "")
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
	}
	used := v.ConfigFileUsed()
	v.SetEnvPrefix("ORCHARD")
	v.SetEnvKeyReplacer(strings.NewReplacer(".", "_"))
	v.AutomaticEnv()
	if flags != nil {
		var bindErr error
		flags.VisitAll(func(f *pflag.Flag) {
			if key, ok := f.Annotations[configKey]; ok && len(key) == 1 && bindErr == nil {
				bindErr = v.BindPFlag(key[0], f)
			}
		})
		if bindErr != nil {
			return nil, used, bindErr
		}
	}
	var cfg Config
	if err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) { dc.ErrorUnused = false }); err != nil {
		where := "environment"
		if used != "" {
			where = used
		}
		return nil, used, fmt.Errorf("config %s: %s", where, unmarshalMessage(err))
	}
	return &cfg, used, nil
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

const configKey = "orchard_config_key"

// bindFlag marks a flag as setting a configuration key, so that it beats file and environment.
func bindFlag(fs *pflag.FlagSet, name, key string) {
	if f := fs.Lookup(name); f != nil {
		if f.Annotations == nil {
			f.Annotations = map[string][]string{}
		}
		f.Annotations[configKey] = []string{key}
	}
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
		case f.Type.Kind() == reflect.Struct:
			out[name] = structMap(fv)
		case f.Tag.Get("secret") == "true" && fv.String() != "":
			out[name] = "********"
		case f.Type == reflect.TypeOf(time.Duration(0)):
			out[name] = time.Duration(fv.Int()).String()
		default:
			out[name] = fv.Interface()
		}
	}
	return out
}
