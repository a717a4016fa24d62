package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orchard-oer/orchard/lab"
)

// The lab's pages: learners join a class and answer; facilitators build sets, open classes
// and read the table of results.

// labFormQuestions is how many question blocks the set form offers.
const labFormQuestions = 6

type labHomeView struct {
	Code      string
	Sets      []lab.Set
	Classes   []lab.Class
	Kinds     []lab.Kind
	Blocks    []int
	JoinError string
}

func (s *Server) labHome(w http.ResponseWriter, r *http.Request) {
	s.renderLabHome(w, r, http.StatusOK, labHomeView{Code: r.URL.Query().Get("code")})
}

func (s *Server) renderLabHome(w http.ResponseWriter, r *http.Request, status int, v labHomeView) {
	if viewerOf(r).Staff() && s.lab != nil {
		var err error
		if v.Sets, err = s.lab.Sets(r.Context()); err == nil {
			v.Classes, err = s.lab.Classes(r.Context())
		}
		if err != nil {
			s.labError(w, r, err)
			return
		}
		v.Kinds = lab.Kinds
		for i := range labFormQuestions {
			v.Blocks = append(v.Blocks, i+1)
		}
	}
	s.render(w, r, status, "lab", v)
}

// labJoin joins a class from the form and remembers the learner in this browser.
func (s *Server) labJoin(w http.ResponseWriter, r *http.Request) {
	code := r.PostFormValue("code")
	c, l, key, err := s.lab.Join(r.Context(), code, r.PostFormValue("name"))
	if err != nil {
		msg, status := labMessage(err)
		s.renderLabHome(w, r, status, labHomeView{Code: code, JoinError: msg})
		return
	}
	s.rememberLearner(w, r, c.Code, l.ID+"."+key)
	http.Redirect(w, r, "/lab/c/"+c.Code, http.StatusSeeOther)
}

// labMessage is the message and status a page shows for an error of the lab.
func labMessage(err error) (string, int) {
	var fe *lab.FieldError
	switch {
	case errors.As(err, &fe):
		return fe.Reason, http.StatusBadRequest
	case errors.Is(err, lab.ErrNotFound):
		return "There is no class with that code: check it with your facilitator.", http.StatusNotFound
	case errors.Is(err, lab.ErrKey):
		return err.Error(), http.StatusForbidden
	case errors.Is(err, lab.ErrClosed), errors.Is(err, lab.ErrFull):
		return err.Error(), http.StatusConflict
	}
	return "Something went wrong on the server; try again in a moment.", http.StatusBadGateway
}

type labClassView struct {
	Class   *lab.Class
	Learner *lab.Learner
	Items   []labItemView
}

type labItemView struct {
	lab.Item
	Last  *lab.Answered
	Error string
}

// labClass shows a class's questions to a learner who joined it, or the join form.
func (s *Server) labClass(w http.ResponseWriter, r *http.Request) {
	s.renderLabClass(w, r, http.StatusOK, 0, "")
}

func (s *Server) renderLabClass(w http.ResponseWriter, r *http.Request, status, n int, msg string) {
	code := r.PathValue("code")
	id, key, err := learnerOf(r, strings.ToUpper(code))
	if err != nil {
		c, err := s.lab.Class(r.Context(), code)
		if err != nil {
			msg, status := labMessage(err)
			s.renderLabHome(w, r, status, labHomeView{Code: code, JoinError: msg})
			return
		}
		s.renderLabHome(w, r, http.StatusOK, labHomeView{Code: c.Code})
		return
	}
	c, l, err := s.lab.Learner(r.Context(), code, id, key)
	if errors.Is(err, lab.ErrKey) {
		s.clearCookie(w, r, labCookie(strings.ToUpper(code)))
		s.renderLabHome(w, r, http.StatusForbidden, labHomeView{Code: code, JoinError: "This browser's place in the class was lost: join again."})
		return
	} else if err != nil {
		msg, status := labMessage(err)
		s.renderLabHome(w, r, status, labHomeView{Code: code, JoinError: msg})
		return
	}
	v := labClassView{Class: c, Learner: l}
	for _, it := range c.Items {
		iv := labItemView{Item: it}
		if a, ok := l.Last(it.N); ok {
			iv.Last = &a
		}
		if it.N == n {
			iv.Error = msg
		}
		v.Items = append(v.Items, iv)
	}
	s.render(w, r, status, "lab_class", v)
}

// labAnswer grades an answer from the class page and shows the page again with the grade.
func (s *Server) labAnswer(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(r.PathValue("code"))
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		s.fail(w, r, http.StatusBadRequest, &ParamError{"n", "must be a question number"})
		return
	}
	id, key, err := learnerOf(r, code)
	if err == nil {
		a := lab.Answer{Choice: r.PostFormValue("choice"), License: r.PostFormValue("license"), Text: r.PostFormValue("text"), Record: r.PostFormValue("record")}
		_, err = s.lab.Answer(r.Context(), code, id, key, n, a)
	}
	if err != nil {
		msg, status := labMessage(err)
		s.renderLabClass(w, r, status, n, msg)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/lab/c/%s#q%d", code, n), http.StatusSeeOther)
}

// Facilitators' pages.

// labSetPost creates a set from the form, or imports one from YAML.
func (s *Server) labSetPost(w http.ResponseWriter, r *http.Request) {
	var set *lab.Set
	var err error
	if r.PostFormValue("action") == "import" {
		set, err = lab.ParseYAML([]byte(r.PostFormValue("yaml")))
	} else {
		set = setFromForm(r)
	}
	if err == nil {
		set, err = s.lab.CreateSet(r.Context(), *set, viewerOf(r).Name)
	}
	if err != nil {
		msg, status := labMessage(err)
		var fe *lab.FieldError
		if errors.As(err, &fe) {
			msg = fe.Error()
		}
		s.fail(w, r, status, errors.New(msg))
		return
	}
	http.Redirect(w, r, "/lab/sets/"+set.ID, http.StatusSeeOther)
}

// setFromForm reads the set form: a title and numbered question blocks, of which those with a
// kind count.
func setFromForm(r *http.Request) *lab.Set {
	set := &lab.Set{Title: r.PostFormValue("title"), Description: r.PostFormValue("description")}
	for i := 1; i <= labFormQuestions; i++ {
		f := func(name string) string { return strings.TrimSpace(r.PostFormValue(fmt.Sprintf("q%d-%s", i, name))) }
		kind := lab.Kind(f("kind"))
		if kind == "" {
			continue
		}
		q := lab.Question{Kind: kind, Prompt: f("prompt"), Records: fields(f("records"))}
		switch kind {
		case lab.KindMay:
			q.Action, q.License = lab.Action(f("action")), f("license")
		case lab.KindAttribution:
			q.Adapted = f("adapted") != ""
		case lab.KindFind:
			q.Records = nil
			q.Find = &lab.Find{Languages: fields(f("languages")), Types: fields(f("types")), Families: fields(f("families")),
				Commercial: f("commercial") != "", Derivatives: f("derivatives") != "", Open: f("open") != ""}
		}
		set.Questions = append(set.Questions, q)
	}
	return set
}

// fields splits a list typed as "a, b c".
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' })
}

type labSetView struct {
	*lab.Set
	// Gone lists the records the set names that learners can no longer see: a class cannot
	// open until the set names others.
	Gone map[string]bool
}

func (s *Server) labSetPage(w http.ResponseWriter, r *http.Request) {
	set, err := s.lab.Set(r.Context(), r.PathValue("id"))
	if err != nil {
		s.labError(w, r, err)
		return
	}
	v := labSetView{Set: set, Gone: map[string]bool{}}
	for _, q := range set.Questions {
		for _, id := range q.Records {
			if err := s.recordExists(r.Context(), id); err != nil {
				v.Gone[id] = true
			}
		}
	}
	s.render(w, r, http.StatusOK, "lab_set", v)
}

func (s *Server) labClassOpen(w http.ResponseWriter, r *http.Request) {
	c, err := s.lab.OpenClass(r.Context(), r.PathValue("id"), viewerOf(r).Name)
	if err != nil {
		s.labError(w, r, err)
		return
	}
	http.Redirect(w, r, "/lab/results/"+c.Code, http.StatusSeeOther)
}

type labResultsView struct {
	Class    *lab.Class
	Learners []lab.Learner
	Rows     []labRow
	Columns  []labColumn
	JoinURL  string
	// ChartWidth is the width of the bar chart, a bar per question.
	ChartWidth int
}

type labRow struct {
	Name    string
	Cells   []string // "right", "wrong" or ""
	Correct int
}

// labColumn is one question's share of right answers, for the chart above the table.
type labColumn struct {
	N        int
	Kind     lab.Kind
	Answered int
	Right    int
	Percent  int // of the learners who answered
	// Where the bar goes in the chart (SVG units): a bar of 100 is every answer right.
	X, Y, Mid, LabelY, BarHeight int
}

func (s *Server) labResults(w http.ResponseWriter, r *http.Request) {
	c, ls, err := s.lab.Results(r.Context(), r.PathValue("code"))
	if err != nil {
		s.labError(w, r, err)
		return
	}
	v := labResultsView{Class: c, Learners: ls, JoinURL: "/lab/c/" + c.Code}
	for _, it := range c.Items {
		v.Columns = append(v.Columns, labColumn{N: it.N, Kind: it.Question.Kind})
	}
	for _, l := range ls {
		row := labRow{Name: l.Name, Correct: l.Correct()}
		for i, it := range c.Items {
			cell := ""
			if a, ok := l.Last(it.N); ok {
				v.Columns[i].Answered++
				cell = "wrong"
				if a.Result.Correct {
					cell = "right"
					v.Columns[i].Right++
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
	}
	const slot, base = 56, 120
	for i := range v.Columns {
		col := &v.Columns[i]
		if col.Answered > 0 {
			col.Percent = 100 * col.Right / col.Answered
		}
		col.X, col.Mid = 10+i*slot, 28+i*slot
		col.BarHeight = col.Percent
		col.Y, col.LabelY = base-col.BarHeight, base-col.BarHeight-4
	}
	v.ChartWidth = 20 + len(v.Columns)*slot
	s.render(w, r, http.StatusOK, "lab_results", v)
}

// labResultsPost closes or reopens a class.
func (s *Server) labResultsPost(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if _, err := s.lab.SetClosed(r.Context(), code, r.PostFormValue("action") == "close"); err != nil {
		s.labError(w, r, err)
		return
	}
	http.Redirect(w, r, "/lab/results/"+strings.ToUpper(code), http.StatusSeeOther)
}

func (s *Server) labResultsCSV(w http.ResponseWriter, r *http.Request) {
	c, ls, err := s.lab.Results(r.Context(), r.PathValue("code"))
	if err != nil {
		s.labError(w, r, err)
		return
	}
	s.writeResultsCSV(w, r, c, ls)
}

// labCookie names the cookie that keeps a browser's learner key for one class.
func labCookie(code string) string { return "orchard_lab_" + code }

func (s *Server) rememberLearner(w http.ResponseWriter, r *http.Request, code, value string) {
	s.setCookie(w, r, labCookie(code), value, 30*24*time.Hour)
}

// learnerOf reads a browser's learner key for a class.
func learnerOf(r *http.Request, code string) (id, key string, err error) {
	c, err := r.Cookie(labCookie(code))
	if err != nil {
		return "", "", lab.ErrKey
	}
	id, key = splitLearnerKey(c.Value)
	return id, key, nil
}
