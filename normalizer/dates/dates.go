// Package dates normalizes the dates of harvested records to ISO 8601 at the precision they
// were written with, and gives their year.
//
// It reads W3CDTF at all its levels (YYYY, YYYY-MM, YYYY-MM-DD, with hh:mm, :ss and fractions
// and a zone), OAI-PMH datestamps, ISO 8601 basic forms (20190503, 20070515142212.0),
// YYYY/MM/DD, day-first European dates (12.03.2018, 30-04-2012), month names in English,
// German, French, Spanish, Portuguese and Italian ("May 2019", "12. März 2019", "May 12,
// 2019"), and the hedges of catalog records ("c. 1920", "[1985]", "1985?", "1844~"). A range
// ("2001-2005") gives its first year. A slashed date whose day and month cannot be told apart
// (03/04/2012) is given to the year only. Times with a zone are converted to UTC; times without
// one are kept as local times. As a last resort the first plausible year in the text is taken.
package dates

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Year bounds for values found in free text, so that numbers such as page counts are not
// taken for years.
const (
	minYear = 1000
	maxYear = 2100
)

var (
	w3cdtf = regexp.MustCompile(`^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?)?)?$`)
	basic  = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})(?:\.\d+)?(Z)?)?$`)
	ymd    = regexp.MustCompile(`^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$`)
	dmy    = regexp.MustCompile(`^(\d{1,2})([./-])(\d{1,2})([./-])(\d{4})$`)
	named  = regexp.MustCompile(`^(?:(\d{1,2})\.?\s+)?(\pL+)\.?\s+(?:(\d{1,2})(?:st|nd|rd|th)?,?\s+)?(\d{4})$`)
	span   = regexp.MustCompile(`^(\d{4})\s*(?:-|–|/|to|bis)\s*\d{2,4}$`)
	anyYr  = regexp.MustCompile(`(?:^|\D)(\d{4})(?:\D|$)`)
	hedge  = regexp.MustCompile(`^(?i:circa|ca\.?|c\.?|approx\.?|um|vers|cerca de)\s*`)
)

// months maps month names and their usual abbreviations to month numbers.
var months = map[string]int{}

func init() {
	for i, names := range [12]string{
		"january jan januar janvier enero janeiro gennaio jänner",
		"february feb februar février fevrier febrero fevereiro febbraio",
		"march mar märz maerz mars marzo março marco",
		"april apr avril abril aprile",
		"may mai mayo maio maggio",
		"june jun juni juin junio junho giugno",
		"july jul juli juillet julio julho luglio",
		"august aug août aout agosto",
		"september sep sept septembre septiembre setembro settembre",
		"october oct oktober okt octobre octubre outubro ottobre",
		"november nov novembre noviembre novembro",
		"december dec dezember dez décembre decembre diciembre dezembro dicembre",
	} {
		for _, n := range strings.Fields(names) {
			months[n] = i + 1
		}
	}
}

// Normalize returns s as an ISO 8601 date (or date and time) at the precision s gives, and
// its year. ok is false when s holds no recognisable date.
func Normalize(s string) (iso string, year int, ok bool) {
	s = clean(s)
	if s == "" {
		return "", 0, false
	}
	// Fast paths for the commonest shapes, a year and a date.
	if len(s) >= 4 && digits(s, 0, 4) && (len(s) == 4 || len(s) == 10 && s[4] == '-' && s[7] == '-' && digits(s, 5, 7) && digits(s, 8, 10)) {
		if len(s) == 4 {
			return build(s, "", "", "", "", "", "")
		}
		if iso, year, ok := build(s[:4], s[5:7], s[8:10], "", "", "", ""); ok {
			return iso, year, ok
		}
	}
	if m := w3cdtf.FindStringSubmatch(s); m != nil {
		if iso, year, ok := build(m[1], m[2], m[3], m[4], m[5], m[6], m[7]); ok {
			return iso, year, ok
		}
	}
	if m := basic.FindStringSubmatch(s); m != nil {
		if iso, year, ok := build(m[1], m[2], m[3], m[4], m[5], m[6], m[7]); ok {
			return iso, year, ok
		}
	}
	if m := ymd.FindStringSubmatch(s); m != nil {
		if iso, year, ok := build(m[1], m[2], m[3], "", "", "", ""); ok {
			return iso, year, ok
		}
	}
	if m := dmy.FindStringSubmatch(s); m != nil && m[2] == m[4] {
		if iso, year, ok := dayMonth(m[1], m[3], m[5], m[2] == "."); ok {
			return iso, year, ok
		}
	}
	if m := named.FindStringSubmatch(s); m != nil {
		if mo, found := months[strings.ToLower(m[2])]; found {
			day := m[1]
			if day == "" {
				day = m[3]
			}
			if iso, year, ok := build(m[4], strconv.Itoa(mo), day, "", "", "", ""); ok {
				return iso, year, ok
			}
		}
	}
	if m := span.FindStringSubmatch(s); m != nil {
		return build(m[1], "", "", "", "", "", "")
	}
	// A datestamp with something after it: "2004-05-19, 11:23:43".
	if len(s) > 10 {
		if iso, year, ok := Normalize(s[:10]); ok && !isDigit(s[10]) {
			return iso, year, ok
		}
	}
	for _, m := range anyYr.FindAllStringSubmatch(s, -1) {
		if y, _ := strconv.Atoi(m[1]); y >= minYear && y <= maxYear {
			return m[1], y, true
		}
	}
	return "", 0, false
}

// clean trims the brackets, question marks and hedges catalogers put around dates.
func clean(s string) string {
	s = strings.TrimSpace(s)
	for {
		t := strings.Trim(s, " \t\r\n[]()?~.;,")
		t = hedge.ReplaceAllString(t, "")
		if t == s {
			return s
		}
		s = t
	}
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits reports whether s[i:j] is all ASCII digits.
func digits(s string, i, j int) bool {
	for ; i < j; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// dayMonth reads a date written day or month first. Dots mark the European day-first order;
// with slashes or hyphens the order is known only when one number exceeds 12.
func dayMonth(a, b, y string, dotted bool) (string, int, bool) {
	x, _ := strconv.Atoi(a)
	z, _ := strconv.Atoi(b)
	switch {
	case dotted || x > 12:
		return build(y, b, a, "", "", "", "")
	case z > 12:
		return build(y, a, b, "", "", "", "")
	case x == z:
		return build(y, a, b, "", "", "", "")
	}
	return build(y, "", "", "", "", "", "")
}

// build checks the parts and writes them at the precision given.
func build(y, mo, d, h, mi, sec, zone string) (string, int, bool) {
	year, _ := strconv.Atoi(y)
	if mo == "" {
		return y, year, true
	}
	month, _ := strconv.Atoi(mo)
	if month < 1 || month > 12 {
		return "", 0, false
	}
	if d == "" {
		return fmt.Sprintf("%04d-%02d", year, month), year, true
	}
	day, _ := strconv.Atoi(d)
	if day < 1 || day > time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return "", 0, false
	}
	if h == "" {
		return fmt.Sprintf("%04d-%02d-%02d", year, month, day), year, true
	}
	hour, _ := strconv.Atoi(h)
	minute, _ := strconv.Atoi(mi)
	second, _ := strconv.Atoi(sec)
	if hour > 24 || minute > 59 || second > 60 {
		return "", 0, false
	}
	layout := "2006-01-02T15:04"
	if sec != "" {
		layout += ":05"
	}
	if zone == "" {
		t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
		return t.Format(layout), year, true
	}
	off, ok := offset(zone)
	if !ok {
		return "", 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.FixedZone("", off)).UTC()
	return t.Format(layout + "Z"), t.Year(), true
}

// offset reads Z, +hh, +hhmm or +hh:mm as seconds east of UTC.
func offset(z string) (int, bool) {
	if z == "Z" {
		return 0, true
	}
	digits := strings.ReplaceAll(z[1:], ":", "")
	h, _ := strconv.Atoi(digits[:2])
	m := 0
	if len(digits) == 4 {
		m, _ = strconv.Atoi(digits[2:])
	}
	if h > 14 || m > 59 {
		return 0, false
	}
	sec := (h*60 + m) * 60
	if z[0] == '-' {
		sec = -sec
	}
	return sec, true
}
