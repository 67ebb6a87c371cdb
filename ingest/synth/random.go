package synth

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"
)

// rng is the generator's only source of randomness: a PCG stream derived
// from the seed, so that the same seed gives the same bytes.
type rng struct{ *rand.Rand }

func newRNG(seed, stream uint64) rng { return rng{rand.New(rand.NewPCG(seed, stream))} }

func pick[T any](r rng, xs []T) T { return xs[r.IntN(len(xs))] }

// chance is true with probability p.
func (r rng) chance(p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func (r rng) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

const (
	hexDigits  = "0123456789abcdef"
	idDigits   = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" // AWS unique ids are base32
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

func (r rng) chars(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

func (r rng) hex(n int) string { return r.chars(hexDigits, n) }

// uniqueID returns an IAM unique id such as AROA3XFRBF23EXAMPLE1X.
func (r rng) uniqueID(prefix string) string { return prefix + r.chars(idDigits, 17) }

func (r rng) uuid() string {
	return r.hex(8) + "-" + r.hex(4) + "-4" + r.hex(3) + "-" + string("89ab"[r.IntN(4)]) + r.hex(3) + "-" + r.hex(12)
}

// accountID returns a 12-digit account id that does not start with 0.
func (r rng) accountID() string {
	return strconv.Itoa(r.between(1, 9)) + fmt.Sprintf("%011d", r.Int64N(100_000_000_000))
}

// timeBetween returns a time in [from, to), to the second.
func (r rng) timeBetween(from, to time.Time) time.Time {
	d := to.Sub(from)
	if d <= 0 {
		return from
	}
	return from.Add(time.Duration(r.Int64N(int64(d/time.Second))) * time.Second)
}

// names hands out unique names: the first request for a base gets it as
// is, later ones get "-2", "-3", ...
type names map[string]int

func (n names) unique(base string) string {
	c := n[base]
	n[base] = c + 1
	if c == 0 {
		return base
	}
	name := base + "-" + strconv.Itoa(c+1)
	if n[name] > 0 {
		return n.unique(base)
	}
	n[name] = 1
	return name
}

// awsDate formats t as the AWS CLI prints dates.
func awsDate(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }
