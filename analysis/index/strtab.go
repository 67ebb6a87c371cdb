package index

import (
	"fmt"
	"math"
	"strings"
)

// strtab is a table of interned strings. Every string lives in one arena
// string and is addressed by a uint32 id; id 0 is "".
//
// NOTE(index): one arena plus offsets rather than a []string: a []string
// costs a 16-byte header per entry and gives the garbage collector one
// pointer per string to trace (millions of them for a large org), while the
// arena is a single pointer-free allocation and an id is 4 bytes. Reading a
// string is a substring of the arena, which neither copies nor allocates.
type strtab struct {
	arena string
	offs  []uint32 // string i is arena[offs[i]:offs[i+1]]
}

func (t *strtab) get(i uint32) string { return t.arena[t.offs[i]:t.offs[i+1]] }

// len returns the number of strings, "" included.
func (t *strtab) len() int { return len(t.offs) - 1 }

// strtabBuilder fills a strtab. Its dedupe map lives only during Build.
type strtabBuilder struct {
	b    strings.Builder
	offs []uint32
	seen map[string]uint32
}

func newStrtabBuilder(hint int) *strtabBuilder {
	b := &strtabBuilder{offs: make([]uint32, 2, hint+2), seen: make(map[string]uint32)}
	b.seen[""] = 0 // offs[0] == offs[1] == 0: string 0 is ""
	return b
}

// add appends s without looking for an equal string: for strings known to
// be unique, such as node IDs.
func (b *strtabBuilder) add(s string) uint32 {
	b.b.WriteString(s)
	b.offs = append(b.offs, uint32(min(b.b.Len(), math.MaxUint32)))
	return uint32(len(b.offs) - 2)
}

// intern returns the id of s, adding it the first time.
func (b *strtabBuilder) intern(s string) uint32 {
	if id, ok := b.seen[s]; ok {
		return id
	}
	id := b.add(s)
	b.seen[s] = id
	return id
}

func (b *strtabBuilder) finish() (strtab, error) {
	if b.b.Len() > math.MaxUint32 {
		return strtab{}, fmt.Errorf("index: %d bytes of strings exceed the 4 GiB arena", b.b.Len())
	}
	b.seen = nil
	return strtab{arena: b.b.String(), offs: b.offs}, nil
}
