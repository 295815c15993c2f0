package ingest

import (
	"errors"
	"testing"
	"time"
)

func d(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

func TestParseDate(t *testing.T) {
	tests := []struct {
		in    string
		order dateOrder
		d1904 bool
		want  time.Time // zero with bad=false: empty
		bad   bool
	}{
		{in: ""},
		{in: "46286", want: d(2026, 9, 21)},
		{in: "46286.5856", want: d(2026, 9, 21)},
		{in: "44824", d1904: true, want: d(2026, 9, 21)},
		{in: "42", bad: true},
		{in: "9999999", bad: true},
		{in: "9/21/2026 14:03:11", want: d(2026, 9, 21)},
		{in: "9/21/2026", want: d(2026, 9, 21)},
		{in: "9/21/26", want: d(2026, 9, 21)},
		{in: "2026-09-21 14:03:11", want: d(2026, 9, 21)},
		{in: "2026-09-21", want: d(2026, 9, 21)},
		{in: "2026/09/21 2:03:11 PM GMT+1", want: d(2026, 9, 21)},
		{in: "2026-09-21T14:03:11Z", want: d(2026, 9, 21)},
		{in: "2026-09-21T23:30:00-05:00", want: d(2026, 9, 22)},
		{in: "2026-09-21T00:30:00+02:00", want: d(2026, 9, 20)},
		{in: "2026-09-21 23:30 GMT-5", want: d(2026, 9, 22)},
		{in: "2026-09-21T14:03:11.123456Z", want: d(2026, 9, 21)},
		{in: "21 Sep 2026", want: d(2026, 9, 21)},
		{in: "21 September 2026", want: d(2026, 9, 21)},
		{in: "Sep 21, 2026", want: d(2026, 9, 21)},
		{in: "September 21st, 2026 2:03 pm", want: d(2026, 9, 21)},
		{in: "Mon, 21 Sep 2026 14:03:11", want: d(2026, 9, 21)},
		{in: "21-Sep-2026", want: d(2026, 9, 21)},
		{in: "21-Sep-26", want: d(2026, 9, 21)},
		{in: "21/09/2026", want: d(2026, 9, 21)},
		{in: "21.09.2026", want: d(2026, 9, 21)},
		{in: "03/04/2026", want: d(2026, 3, 4)},
		{in: "03.04.2026", want: d(2026, 4, 3)},
		{in: "03/04/2026", order: orderDayFirst, want: d(2026, 4, 3)},
		{in: "03.04.2026", order: orderMonthFirst, want: d(2026, 3, 4)},
		{in: "2/29/2026", bad: true},
		{in: "2/29/2028", want: d(2028, 2, 29)},
		{in: "13/13/2026", bad: true},
		{in: "2026-13-01", bad: true},
		{in: "next Tuesday", bad: true},
		{in: "21/09-2026", bad: true},
		{in: "9/21/2026 25:00", bad: true},
		{in: "9/21/2026 13:00 PM", bad: true},
		{in: "Sep 2026", bad: true},
		{in: "21 Sep 2026 banana", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDate(tt.in, tt.order, tt.d1904)
			if tt.bad {
				if !errors.Is(err, ErrBadDate) {
					t.Errorf("parseDate(%q) = %v, %v; want ErrBadDate", tt.in, got, err)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) {
				t.Errorf("parseDate(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestSerialToDate(t *testing.T) {
	tests := []struct {
		serial float64
		d1904  bool
		want   time.Time
	}{
		{1, false, d(1900, 1, 1)},
		{59, false, d(1900, 2, 28)},
		{60, false, d(1900, 2, 28)}, // Excel's fictitious 1900-02-29
		{61, false, d(1900, 3, 1)},
		{45658, false, d(2025, 1, 1)},
		{46286.99, false, d(2026, 9, 21)},
		{0, true, d(1904, 1, 1)},
		{44196, true, d(2025, 1, 1)},
	}
	for _, tt := range tests {
		if got := serialToDate(tt.serial, tt.d1904); !got.Equal(tt.want) {
			t.Errorf("serialToDate(%v, %v) = %v, want %v", tt.serial, tt.d1904, got, tt.want)
		}
	}
}

func TestInferOrder(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   dateOrder
	}{
		{"day first", []string{"03/04/2026", "21/09/2026"}, orderDayFirst},
		{"month first", []string{"03/04/2026", "9/21/2026"}, orderMonthFirst},
		{"mixed", []string{"21/09/2026", "9/21/2026"}, orderBySeparator},
		{"none", []string{"2026-09-21", "", "03/04/2026"}, orderBySeparator},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := inferOrder(tt.values); got != tt.want {
				t.Errorf("inferOrder(%q) = %v, want %v", tt.values, got, tt.want)
			}
		})
	}
}
