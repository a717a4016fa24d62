package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/orchard-oer/orchard/catalog"
	"github.com/orchard-oer/orchard/catalog/embedded"
	"github.com/orchard-oer/orchard/catalog/meili"
	"github.com/orchard-oer/orchard/normalizer/license"
	"github.com/orchard-oer/orchard/web"
	"github.com/orchard-oer/orchard/workers"
)

// openIndex opens the configured catalog: Meilisearch when catalog.meilisearch.url is set,
// else the embedded index under the data directory.
func (a *app) openIndex(ctx context.Context) (catalog.Index, error) {
	m := a.cfg.Catalog.Meilisearch
	if m.URL != "" {
		return meili.New(ctx, a.meiliConfig(), a.log)
	}
	return embedded.Open(embedded.Config{Dir: filepath.Join(a.cfg.DataDir, "catalog")}, a.log)
}

// catalogBackend names the configured catalog, for the check that every process of a
// deployment writes to the same one.
func (a *app) catalogBackend() workers.CatalogBackend {
	m := a.cfg.Catalog.Meilisearch
	if m.URL == "" {
		return workers.CatalogBackend{Kind: "embedded"}
	}
	return workers.CatalogBackend{Kind: "meilisearch", URL: m.URL, Index: m.Index}
}

func (a *app) meiliConfig() meili.Config {
	m := a.cfg.Catalog.Meilisearch
	return meili.Config{URL: m.URL, Key: m.Key, SearchKey: m.SearchKey, Index: m.Index, Timeout: m.Timeout, TaskTimeout: m.TaskTimeout}
}

func newImportCmd(a *app) *cobra.Command {
	var strict bool
	var batch, inFlight int
	cmd := &cobra.Command{
		Use:   "import FILE.jsonl",
		Short: "Load records from a JSON Lines file into the catalog",
		Long: "Load records, one JSON object per line, into the catalog. Bad lines are reported with\n" +
			"their line number and reason and the rest goes in; with --strict nothing goes in unless\n" +
			"every line is good. Records with \"deleted\": true are removed. FILE may be - for stdin.\n" +
			"Batches go to Meilisearch without waiting for each to be indexed; a batch the index\n" +
			"refuses is reported with its lines (FILE:FIRST-LAST) and the command fails.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in, name, err := openInput(args[0])
			if err != nil {
				return err
			}
			defer in.Close()
			stderr := cmd.ErrOrStderr()
			if strict {
				bad, err := catalog.Check(in)
				if err != nil {
					return fmt.Errorf("import %s: %w", name, err)
				}
				for _, b := range bad {
					fmt.Fprintf(stderr, "%s:%d: %v\n", name, b.Line, b.Err)
				}
				if len(bad) > 0 {
					return fmt.Errorf("import %s: %d bad lines, nothing imported (--strict)", name, len(bad))
				}
				if _, err := in.Seek(0, io.SeekStart); err != nil {
					return fmt.Errorf("import %s: %w", name, err)
				}
			}
			idx, err := a.openIndex(cmd.Context())
			if err != nil {
				return err
			}
			defer idx.Close()
			rep, err := catalog.Import(cmd.Context(), idx, in, catalog.ImportOptions{
				BatchSize: batch,
				InFlight:  inFlight,
				OnBad:     func(le *catalog.LineError) { fmt.Fprintf(stderr, "%s:%d: %v\n", name, le.Line, le.Err) },
				OnFailed: func(be *catalog.BatchError) {
					fmt.Fprintf(stderr, "%s:%d-%d: not imported: %v\n", name, be.First, be.Last, be.Err)
				},
			})
			fmt.Fprintf(stderr, "imported %d records, deleted %d, %d bad lines skipped\n", rep.Imported, rep.Deleted, len(rep.Bad))
			if err != nil {
				return fmt.Errorf("import %s: %w", name, err)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&strict, "strict", false, "import nothing unless every line is a valid record")
	cmd.Flags().IntVar(&batch, "batch", 5000, "records per write to the index")
	cmd.Flags().IntVar(&inFlight, "in-flight", 8, "batches sent to Meilisearch and not yet confirmed, at most")
	return cmd
}

// openInput opens a file, or copies stdin ("-") to a temporary file so that it can be read twice.
func openInput(name string) (*os.File, string, error) {
	if name != "-" {
		f, err := os.Open(name)
		return f, name, err
	}
	tmp, err := os.CreateTemp("", "orchard-import-*.jsonl")
	if err != nil {
		return nil, "", err
	}
	os.Remove(tmp.Name()) // unlinked now, gone when closed
	if _, err := io.Copy(tmp, os.Stdin); err != nil {
		tmp.Close()
		return nil, "", fmt.Errorf("read stdin: %w", err)
	}
	_, err = tmp.Seek(0, io.SeekStart)
	return tmp, "stdin", err
}

// openOutput returns where a command writes: stdout, or the file named by -o, with the function
// that closes it.
func openOutput(cmd *cobra.Command, name string) (io.Writer, func() error, error) {
	if name == "" || name == "-" {
		return cmd.OutOrStdout(), func() error { return nil }, nil
	}
	f, err := os.Create(name)
	if err != nil {
		return nil, nil, err
	}
	return f, f.Close, nil
}

// filterFlags are the search filters shared by search and export, as query parameters of
// the HTTP API so that both paths parse them the same way.
type filterFlags struct {
	license, family, lang, typ, source, subject, status []string
	field                                               []string
	commercial, derivatives, open, openness             string
	yearFrom, yearTo                                    int
}

func (f *filterFlags) register(fs *pflag.FlagSet) {
	fs.StringSliceVar(&f.license, "license", nil, "licenses by id or label (CC-BY-4.0, \"CC BY 4.0\",…)")
	fs.StringSliceVar(&f.family, "family", nil, "license families (CC-BY-SA,…)")
	fs.StringSliceVar(&f.lang, "lang", nil, "languages by code or name (de, German, Deutsch,…)")
	fs.StringSliceVar(&f.typ, "type", nil, "resource types")
	fs.StringSliceVar(&f.source, "source", nil, "sources")
	fs.StringSliceVar(&f.subject, "subject", nil, "subjects")
	// An array, not a comma list: field names hold commas ("Business, administration and law").
	fs.StringArrayVar(&f.field, "field", nil, "ISCED-F fields by notation or name in en/de/fr/es (0511, Biology, Biologie), with all below them; repeatable")
	fs.StringSliceVar(&f.status, "status", nil, "license status: open, closed, unknown, conflict")
	fs.StringVar(&f.commercial, "commercial", "", "true: commercial use allowed")
	fs.StringVar(&f.derivatives, "derivatives", "", "true: adaptations allowed")
	fs.StringVar(&f.openness, "openness", "", opennessHelp())
	fs.StringVar(&f.open, "open", "", "older form of --openness: true (free), false or any")
	fs.IntVar(&f.yearFrom, "year-from", 0, "earliest year")
	fs.IntVar(&f.yearTo, "year-to", 0, "latest year")
}

func (f *filterFlags) values() url.Values {
	q := url.Values{}
	for name, vs := range map[string][]string{"license": f.license, "family": f.family, "lang": f.lang,
		"type": f.typ, "source": f.source, "subject": f.subject, "status": f.status} {
		if len(vs) > 0 {
			q.Set(name, strings.Join(vs, ","))
		}
	}
	for _, v := range f.field {
		q.Add("field", v)
	}
	for name, v := range map[string]string{"commercial": f.commercial, "derivatives": f.derivatives, "open": f.open, "openness": f.openness} {
		if v != "" {
			q.Set(name, v)
		}
	}
	if f.yearFrom != 0 {
		q.Set("year_from", strconv.Itoa(f.yearFrom))
	}
	if f.yearTo != 0 {
		q.Set("year_to", strconv.Itoa(f.yearTo))
	}
	return q
}

func newExportCmd(a *app) *cobra.Command {
	var ff filterFlags
	var output, format string
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write catalog records as JSON Lines, all or filtered, as records or JSON-LD",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := ff.values()
			if q.Get("open") == "" && q.Get("openness") == "" {
				q.Set("openness", license.OpennessAny.ID) // export everything unless asked otherwise
			}
			req, err := web.ParseSearch(q)
			if err != nil {
				return err
			}
			req.Filter.WithHidden = true
			idx, err := a.openIndex(cmd.Context())
			if err != nil {
				return err
			}
			defer idx.Close()
			out, closeOut, err := openOutput(cmd, output)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			as, err := a.exportFormat(format)
			if err != nil {
				return err
			}
			n, err := catalog.ExportAs(cmd.Context(), idx, req.Filter, out, as)
			if err := errors.Join(err, closeOut()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "exported %d records\n", n)
			return nil
		},
	}
	ff.register(cmd.Flags())
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of stdout")
	cmd.Flags().StringVar(&format, "format", "jsonl", "jsonl (Orchard's records) or jsonld (schema.org LearningResource in the AMB profile, as on record pages)")
	return cmd
}

func newSearchCmd(a *app) *cobra.Command {
	var ff filterFlags
	var asJSON, remote bool
	var sort string
	var page, perPage int
	cmd := &cobra.Command{
		Use:   "search [QUERY]",
		Short: "Search the catalog",
		Long: "Search the catalog by text and by what licenses allow. Without --remote the local index\n" +
			"is opened directly; with --remote (or when the embedded index is busy) the search goes\n" +
			"through the running Orchard named by --server.",
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := ff.values()
			q.Set("q", strings.Join(args, " "))
			q.Set("openness_counts", "true")
			if sort != "" {
				q.Set("sort", sort)
			}
			if page > 0 {
				q.Set("page", strconv.Itoa(page))
			}
			if perPage > 0 {
				q.Set("per_page", strconv.Itoa(perPage))
			}
			var res catalog.SearchResult
			var err error
			if remote {
				res, err = a.remoteSearch(cmd.Context(), q)
			} else {
				res, err = a.localSearch(cmd.Context(), q)
			}
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetEscapeHTML(false)
				return enc.Encode(res)
			}
			printHits(cmd.OutOrStdout(), res)
			return nil
		},
	}
	ff.register(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the API's JSON answer")
	cmd.Flags().BoolVar(&remote, "remote", false, "search through the running Orchard at --server")
	cmd.Flags().StringVar(&sort, "sort", "", "relevance, newest or title")
	cmd.Flags().IntVar(&page, "page", 0, "page number")
	cmd.Flags().IntVar(&perPage, "per-page", 0, "hits per page")
	return cmd
}

func (a *app) localSearch(ctx context.Context, q url.Values) (catalog.SearchResult, error) {
	req, err := web.ParseSearch(q)
	if err != nil {
		return catalog.SearchResult{}, err
	}
	idx, err := a.openIndex(ctx)
	if errors.Is(err, embedded.ErrBusy) {
		a.log.Debug("embedded index busy; searching through the server", "server", a.cfg.Server)
		return a.remoteSearch(ctx, q)
	}
	if err != nil {
		return catalog.SearchResult{}, err
	}
	defer idx.Close()
	return catalog.SearchWithOpenness(ctx, idx, req)
}

func (a *app) remoteSearch(ctx context.Context, q url.Values) (catalog.SearchResult, error) {
	var res catalog.SearchResult
	err := a.api(ctx, http.MethodGet, "/api/search?"+q.Encode(), nil, &res)
	return res, err
}

func printHits(w io.Writer, res catalog.SearchResult) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TITLE\tLICENSE\tLANG\tTYPE\tYEAR\tID")
	for _, h := range res.Hits {
		year := ""
		if h.Year != 0 {
			year = strconv.Itoa(h.Year)
		}
		lic := h.License.Label
		if lic == "" {
			lic = strings.ToLower(license.StandingUnknown)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", clip(h.Title, 60), lic, strings.Join(h.Languages, ","),
			strings.Join(h.ResourceTypes, ","), year, h.ID)
	}
	tw.Flush()
	fmt.Fprintf(w, "%d of %d\n", len(res.Hits), res.Total)
	if more := res.Openness[license.OpennessAny.ID] - res.Total; res.Openness != nil && more > 0 {
		fmt.Fprintf(w, "%d more with restrictions: --openness %s\n", more, license.OpennessAny.ID)
	}
}

// opennessHelp lists the openness choices in the words pages use.
func opennessHelp() string {
	var b strings.Builder
	for i, o := range license.Opennesses() {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", o.ID, strings.ToLower(o.Label))
		if o == license.DefaultOpenness {
			b.WriteString(" (search default)")
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
