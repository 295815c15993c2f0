package ingest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// dateOrder says how to read an all-numeric date such as 03/04/2026 whose
// first two parts could both be the month.
type dateOrder int

const (
	// orderBySeparator: month first with "/" (US, Google Forms), day first
	// with "." or "-" (European).
	orderBySeparator dateOrder = iota
	orderDayFirst
	orderMonthFirst
)

var (
	reISO     = regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\s*(.*))?$`)
	reNumeric = regexp.MustCompile(`^(\d{1,2})([/.-])(\d{1,2})([/.-])(\d{4}|\d{2})\.?(?:[T ,]\s*(.*))?$`)
	// reTime: 14:03, 14:03:11.250, 2:03:11 PM, 14:03:11 GMT+1, 14:03 +05:30.
	reTime       = regexp.MustCompile(`(?i)^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(am|pm|a\.m\.|p\.m\.)?\s*(?:(z|utc|gmt)?\s*(?:([+-])(\d{1,2})(?::?(\d{2}))?)?)?$`)
	reClockStart = regexp.MustCompile(`\b\d{1,2}:\d{2}`)
	reSerial     = regexp.MustCompile(`^\d+(?:\.\d+)?$`)
)

// Serial numbers below this are not read as dates (10000 is 1927-05-18):
// a small number in a date column is more likely a mistake than a date.
const minSerial = 10000

// maxSerial is 9999-12-31 in the 1900 date system.
const maxSerial = 2958465

// serialToDate converts an Excel serial day number to a UTC date. In the
// 1900 system serial 1 is 1900-01-01 and serial 60 is the non-existent
// 1900-02-29 that Excel keeps for Lotus 1-2-3 compatibility (read as
// 1900-02-28); in the 1904 system serial 0 is 1904-01-01. The time of day
// (the fraction) is dropped.
func serialToDate(serial float64, date1904 bool) time.Time {
	days := int(math.Floor(serial))
	if date1904 {
		return time.Date(1904, 1, 1+days, 0, 0, 0, 0, time.UTC)
	}
	if days >= 60 {
		days-- // skip the fictitious 1900-02-29
	}
	return time.Date(1899, 12, 31+days, 0, 0, 0, 0, time.UTC)
}

var months = map[string]time.Month{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

func monthOf(w string) (time.Month, bool) {
	w = strings.ToLower(strings.TrimSuffix(w, "."))
	if len(w) < 3 {
		return 0, false
	}
	for _, full := range []string{"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december"} {
		if strings.HasPrefix(full, w) {
			return months[full[:3]], true
		}
	}
	return 0, false
}

var weekdays = []string{"mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

// parseDate reads a submission date and returns it as a UTC date (midnight).
// It accepts Excel serial numbers (>= 10000), ISO 8601 dates with or without
// a time and zone, numeric dates such as 9/21/2026, 21.09.2026 or 21-09-26
// (see [dateOrder]), and dates with month names such as "21 Sep 2026",
// "Sep 21, 2026" or "Mon, 21 September 2026 14:03". A time with a zone is
// converted to UTC before the time of day is dropped; a time without a zone
// is taken as UTC.
func parseDate(s string, order dateOrder, date1904 bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%w: %q", ErrBadDate, truncate(s, 60))
	if s == "" {
		return time.Time{}, nil
	}
	if reSerial.MatchString(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < minSerial || f > maxSerial {
			return time.Time{}, bad
		}
		return serialToDate(f, date1904), nil
	}
	if m := reISO.FindStringSubmatch(s); m != nil {
		// RFC 3339 and friends first, so that zones convert to UTC.
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05Z0700",
			"2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00", "2006-01-02T15:04Z07:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				t = t.UTC()
				return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
			}
		}
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		d, _ := strconv.Atoi(m[3])
		t, err := mkdate(y, mo, d, bad)
		if err != nil {
			return t, err
		}
		return applyTime(t, m[4], bad)
	}
	if m := reNumeric.FindStringSubmatch(s); m != nil {
		if m[2] != m[4] {
			return time.Time{}, bad
		}
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[3])
		y, _ := strconv.Atoi(m[5])
		if len(m[5]) == 2 {
			y += 2000
		}
		dayFirst := false
		switch {
		case a > 12:
			dayFirst = true
		case b > 12:
			dayFirst = false
		case order == orderDayFirst:
			dayFirst = true
		case order == orderMonthFirst:
			dayFirst = false
		default:
			dayFirst = m[2] != "/"
		}
		if dayFirst {
			a, b = b, a
		}
		t, err := mkdate(y, a, b, bad)
		if err != nil {
			return t, err
		}
		return applyTime(t, m[6], bad)
	}
	return parseWordDate(s, bad)
}

// parseWordDate reads dates with a month name: "21 Sep 2026",
// "Sep 21, 2026", "21-Sep-26", "Monday, 21st September 2026 2:03 PM".
func parseWordDate(s string, bad error) (time.Time, error) {
	clock := ""
	if loc := reClockStart.FindStringIndex(s); loc != nil {
		s, clock = s[:loc[0]], s[loc[0]:]
	}
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '/' })
	var (
		mon       time.Month
		day, year int
		nums      []int
		rest      []string
	)
	for i, w := range f {
		lw := strings.ToLower(strings.TrimSuffix(w, "."))
		if i == 0 && isWeekday(lw) {
			continue
		}
		if m, ok := monthOf(w); ok && mon == 0 && !isDigits(w) {
			mon = m
			continue
		}
		n := strings.TrimRight(lw, "stndrh") // 21st, 2nd, 3rd, 4th
		if isDigits(n) && len(n) <= 4 && len(nums) < 2 {
			v, _ := strconv.Atoi(n)
			if len(n) == 4 {
				year = v
			} else {
				nums = append(nums, v)
			}
			continue
		}
		rest = append(rest, w)
	}
	if mon == 0 {
		return time.Time{}, bad
	}
	switch {
	case year != 0 && len(nums) == 1:
		day = nums[0]
	case year == 0 && len(nums) == 2: // 21-Sep-26
		day, year = nums[0], 2000+nums[1]
	default:
		return time.Time{}, bad
	}
	t, err := mkdate(year, int(mon), day, bad)
	if err != nil {
		return t, err
	}
	if len(rest) > 0 {
		return time.Time{}, bad
	}
	return applyTime(t, clock, bad)
}

func isWeekday(w string) bool {
	for _, d := range weekdays {
		if w == d {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// applyTime checks the time of day that follows a date and, when it has a
// zone offset, moves the date to UTC ("2026-09-21 23:30 GMT-5" is
// 2026-09-22 in UTC). A time without an offset is taken as UTC. The result
// is the date at midnight UTC.
func applyTime(date time.Time, clock string, bad error) (time.Time, error) {
	clock = strings.TrimSpace(clock)
	if clock == "" {
		return date, nil
	}
	m := reTime.FindStringSubmatch(clock)
	if m == nil {
		return time.Time{}, bad
	}
	h, _ := strconv.Atoi(m[1])
	mi, _ := strconv.Atoi(m[2])
	sec, _ := strconv.Atoi(m[3])
	if ampm := strings.ToLower(strings.ReplaceAll(m[4], ".", "")); ampm != "" {
		if h < 1 || h > 12 {
			return time.Time{}, bad
		}
		h %= 12
		if ampm == "pm" {
			h += 12
		}
	}
	if h > 24 || mi > 59 || sec > 60 {
		return time.Time{}, bad
	}
	if m[6] == "" {
		return date, nil
	}
	oh, _ := strconv.Atoi(m[7])
	om, _ := strconv.Atoi(m[8])
	if oh > 14 || om > 59 {
		return time.Time{}, bad
	}
	off := time.Duration(oh)*time.Hour + time.Duration(om)*time.Minute
	if m[6] == "-" {
		off = -off
	}
	t := date.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute - off)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
}

// mkdate builds a date, rejecting impossible ones (2026-02-30) and years
// outside 1900..9999.
func mkdate(y, m, d int, bad error) (time.Time, error) {
	if y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, bad
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return time.Time{}, bad
	}
	return t, nil
}

// inferOrder looks at every value of a date column: if the unambiguous
// all-numeric dates are all day-first (21/09/2026) the column is read day
// first, if all month-first (9/21/2026) month first; otherwise (none, or
// both) each ambiguous date follows its separator ([orderBySeparator]).
func inferOrder(values []string) dateOrder {
	var v orderVotes
	for _, s := range values {
		v.add(s)
	}
	return v.order()
}

// orderVotes is [inferOrder] one value at a time: what a column's
// unambiguous numeric dates have shown so far.
type orderVotes struct {
	dayFirst, monthFirst bool
}

// add counts the date s (a raw cell value).
func (v *orderVotes) add(s string) {
	if v.dayFirst && v.monthFirst {
		return // decided: both seen
	}
	s = strings.TrimSpace(s)
	if s == "" || s[0] < '0' || s[0] > '9' {
		return // reNumeric starts with a digit
	}
	m := reNumeric.FindStringSubmatch(s)
	if m == nil {
		return
	}
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[3])
	switch {
	case a > 12 && b <= 12:
		v.dayFirst = true
	case b > 12 && a <= 12:
		v.monthFirst = true
	}
}

// order is the column's order for ambiguous dates.
func (v orderVotes) order() dateOrder {
	switch {
	case v.dayFirst && !v.monthFirst:
		return orderDayFirst
	case v.monthFirst && !v.dayFirst:
		return orderMonthFirst
	}
	return orderBySeparator
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
