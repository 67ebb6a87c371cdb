package policy

// tri is a three-valued truth value: a condition on a context key the
// request did not supply is neither true nor false. Ordered so that and is
// min and or is max.
type tri uint8

const (
	triFalse tri = iota
	triUnknown
	triTrue
)

func boolTri(b bool) tri {
	if b {
		return triTrue
	}
	return triFalse
}

func and(a, b tri) tri { return min(a, b) }
func or(a, b tri) tri  { return max(a, b) }
func not(a tri) tri    { return triTrue - a }
