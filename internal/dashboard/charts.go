package dashboard

import (
	"strconv"
	"time"

	"github.com/pgw/pgw/internal/store"
	views "github.com/pgw/pgw/templates/dashboard"
)

// Chart geometry, in the SVG's own units; the page scales it to its width.
const (
	chartW, chartH = 640.0, 180.0
	chartTop       = 10.0
)

// charts draws the period's volume and its payments (succeeded and failed)
// per day as bar charts, each with the same figures as a table.
func charts(p period, days []store.DayPoint, money func(int64) string) (volume, payments views.Chart) {
	byDay := make(map[string]store.DayPoint, len(days))
	for _, d := range days {
		byDay[d.Day] = d
	}
	n := p.days()
	points := make([]store.DayPoint, n)
	var maxVolume int64
	var maxCount int
	for i := range n {
		day := p.from.AddDate(0, 0, i).Format(time.DateOnly)
		pt := byDay[day]
		pt.Day = day
		points[i] = pt
		maxVolume = max(maxVolume, pt.Volume)
		maxCount = max(maxCount, pt.Succeeded+pt.Failed)
	}
	slot := chartW / float64(n)
	gap := min(2, slot/4)
	height := func(v, of float64) float64 {
		if of == 0 {
			return 0
		}
		return (chartH - chartTop) * v / of
	}
	volume = views.Chart{Title: "Volume per day", Width: chartW, Height: chartH, Max: money(maxVolume),
		Columns: []string{"Day", "Volume"}}
	payments = views.Chart{Title: "Payments per day", Width: chartW, Height: chartH, Max: strconv.Itoa(maxCount),
		Columns: []string{"Day", "Succeeded", "Failed"}}
	for i, pt := range points {
		x, w := float64(i)*slot+gap/2, slot-gap
		h := height(float64(pt.Volume), float64(maxVolume))
		volume.Bars = append(volume.Bars, views.Bar{X: x, W: w, Segments: []views.Segment{
			{Y: chartH - h, H: h, Class: "bar", Title: pt.Day + ": " + money(pt.Volume)}}})
		ok := height(float64(pt.Succeeded), float64(maxCount))
		bad := height(float64(pt.Failed), float64(maxCount))
		payments.Bars = append(payments.Bars, views.Bar{X: x, W: w, Segments: []views.Segment{
			{Y: chartH - ok, H: ok, Class: "bar ok", Title: pt.Day + ": " + strconv.Itoa(pt.Succeeded) + " succeeded"},
			{Y: chartH - ok - bad, H: bad, Class: "bar bad", Title: pt.Day + ": " + strconv.Itoa(pt.Failed) + " failed"}}})
		volume.Rows = append(volume.Rows, []string{pt.Day, money(pt.Volume)})
		payments.Rows = append(payments.Rows, []string{pt.Day, strconv.Itoa(pt.Succeeded), strconv.Itoa(pt.Failed)})
	}
	first, last := points[0].Day, points[n-1].Day
	volume.Desc = "Bars of the volume taken each day from " + first + " to " + last + "; the tallest is " + volume.Max + "."
	payments.Desc = "Bars of the payments each day from " + first + " to " + last + ", succeeded below and failed above; the tallest is " + payments.Max + "."
	ticks := []views.Tick{{X: 0, Label: first, Anchor: "start"}}
	if n > 2 {
		ticks = append(ticks, views.Tick{X: chartW / 2, Label: points[n/2].Day, Anchor: "middle"})
	}
	if n > 1 {
		ticks = append(ticks, views.Tick{X: chartW, Label: last, Anchor: "end"})
	}
	volume.Ticks, payments.Ticks = ticks, ticks
	return volume, payments
}
