// Package tax decides and computes VAT: the rates of the EU member states, GB,
// CH and NO by date (embedded data), the place of supply and treatment of each
// line from the seller's registrations and the buyer's details, and exact
// integer arithmetic on minor units, where nets plus taxes always equal what
// is charged. It also computes the VAT a merchant's own vatRate says a gross
// line contains, for checkouts without the engine.
package tax

import (
	"fmt"
	"math/big"
)

// Included returns the VAT contained in gross at rate percent (decimal text
// such as "19" or "7.7"): gross × rate / (100 + rate), rounded half away from
// zero to a whole minor unit. An empty rate means no VAT.
func Included(gross int64, rate string) (int64, error) {
	if rate == "" {
		return 0, nil
	}
	r, ok := new(big.Rat).SetString(rate)
	if !ok || r.Sign() < 0 {
		return 0, fmt.Errorf("VAT rate %q is not a non-negative number", rate)
	}
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(gross), r)
	v.Quo(v, new(big.Rat).Add(big.NewRat(100, 1), r))
	return roundHalfAway(v), nil
}

func roundHalfAway(v *big.Rat) int64 {
	num, den := new(big.Int).Set(v.Num()), v.Denom()
	neg := num.Sign() < 0
	num.Abs(num)
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// GrossLine is one gross line total and the VAT rate it includes.
type GrossLine struct {
	Gross int64
	Rate  string
}

// RateTotal is the VAT of all lines at one rate.
type RateTotal struct {
	Rate string
	Tax  int64
}

// Summary splits gross lines into net and VAT. Lines are rounded one by one,
// so Net + Tax is exactly Gross and the lines' VAT adds up to Tax.
type Summary struct {
	Net, Tax, Gross int64
	// LineTax is the VAT of each line, in order.
	LineTax []int64
	// Rates is the VAT per rate, in order of first appearance.
	Rates []RateTotal
}

// Summarize computes the summary of lines.
func Summarize(lines []GrossLine) (Summary, error) {
	s := Summary{LineTax: make([]int64, len(lines))}
	index := map[string]int{}
	for i, l := range lines {
		t, err := Included(l.Gross, l.Rate)
		if err != nil {
			return Summary{}, err
		}
		s.LineTax[i] = t
		s.Gross += l.Gross
		s.Tax += t
		if l.Rate == "" {
			continue
		}
		if j, ok := index[l.Rate]; ok {
			s.Rates[j].Tax += t
		} else {
			index[l.Rate] = len(s.Rates)
			s.Rates = append(s.Rates, RateTotal{Rate: l.Rate, Tax: t})
		}
	}
	s.Net = s.Gross - s.Tax
	return s, nil
}
