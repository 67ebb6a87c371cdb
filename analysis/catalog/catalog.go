package catalog

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"
)

//go:generate go run gen.go -i ../../../shared/data/iam-catalog/iam-catalog.json -o catalog.bin.gz

// embedded is the output of gen.go; decode.go describes its layout.
//
//go:embed catalog.bin.gz
var embedded []byte

// Catalog is the IAM action catalog. It is immutable after [Load] and
// safe for concurrent use.
type Catalog struct {
	version, updatedAt string

	services []service        // ordered by "prefix:", like action ids
	byPrefix map[string]int32 // prefix → index in services
	rcp      []string         // sorted prefixes RCPs apply to

	actions []Action         // by id
	keys    []string         // by id: lower-case "service:action"
	byKey   map[string]int32 // keys[id] → id

	resourceTypes []ResourceType // grouped by service, in service order
	rtActions     [][]int32      // by resource type: ids of actions that name it

	// arns is built on first use: compiling 2,300 templates would
	// double the load time of callers that never match an ARN.
	arnsOnce sync.Once
	arns     arnIndex
}

// service is what Catalog keeps per prefix: ranges into its flat slices.
type service struct {
	prefix, name  string
	actLo, actHi  int // action ids
	rtLo, rtHi    int // indexes in resourceTypes
	conditionKeys []ConditionKey
}

// Load decodes the embedded catalog. Each call returns a new Catalog;
// most callers want the shared [Embedded] one.
func Load() (*Catalog, error) {
	c, err := decode(embedded)
	if err != nil {
		return nil, fmt.Errorf("catalog: decoding embedded catalog.bin.gz: %w", err)
	}
	return c, nil
}

var embeddedOnce = sync.OnceValue(func() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
})

// Embedded returns the process-wide catalog, loading it on first use.
//
// One shared value is acceptable here, unlike a package-level store or
// client, because it is immutable data compiled into the binary, like the
// unicode tables: there is nothing to configure, close or swap in tests.
// It panics only if the embedded data is corrupt, which means a broken
// build, not bad input; TestLoad guards that invariant.
func Embedded() *Catalog { return embeddedOnce() }

// Source returns the iam-data package version the catalog was built from
// and the date of its data.
func (c *Catalog) Source() (version, updatedAt string) { return c.version, c.updatedAt }

// Len returns the number of actions; their ids are 0 to Len()-1.
func (c *Catalog) Len() int { return len(c.actions) }

// ActionByID returns the action with the given id. It panics if id is out
// of range, like a slice index.
func (c *Catalog) ActionByID(id int) Action { return c.actions[id] }

// Lookup returns the action named like "s3:GetObject", ignoring ASCII case
// as IAM does. Patterns with wildcards are not expanded; use [Catalog.Expand].
func (c *Catalog) Lookup(action string) (Action, bool) {
	id, ok := c.lookupID(action)
	if !ok {
		return Action{}, false
	}
	return c.actions[id], true
}

// Exists reports whether action names a catalog action, ignoring case.
// Policy validation uses it, with [Catalog.ServiceExists], to tell a typo
// in the action from one in the service prefix.
func (c *Catalog) Exists(action string) bool {
	_, ok := c.lookupID(action)
	return ok
}

// ServiceExists reports whether prefix is an IAM service prefix, ignoring case.
func (c *Catalog) ServiceExists(prefix string) bool {
	_, ok := c.serviceIndex(prefix)
	return ok
}

// Service returns the service with the given prefix ("s3"), ignoring case.
func (c *Catalog) Service(prefix string) (Service, bool) {
	i, ok := c.serviceIndex(prefix)
	if !ok {
		return Service{}, false
	}
	s := &c.services[i]
	return Service{
		Prefix:        s.prefix,
		Name:          s.name,
		Actions:       c.actions[s.actLo:s.actHi:s.actHi],
		ResourceTypes: c.resourceTypes[s.rtLo:s.rtHi:s.rtHi],
		ConditionKeys: s.conditionKeys,
	}, true
}

// Services returns every service prefix, sorted.
func (c *Catalog) Services() []string {
	out := make([]string, len(c.services))
	for i, s := range c.services {
		out[i] = s.prefix
	}
	slices.Sort(out)
	return out
}

// RCPSupported reports whether resource control policies apply to the
// service with the given prefix. Actions of other services are outside
// any RCP's reach.
func (c *Catalog) RCPSupported(service string) bool {
	_, ok := slices.BinarySearch(c.rcp, lowerASCII(service))
	return ok
}

func (c *Catalog) lookupID(action string) (int32, bool) {
	// Lower-casing into a stack buffer keeps the common lookup free of
	// allocation: the map index converts it without copying.
	var buf [96]byte
	if len(action) > len(buf) {
		id, ok := c.byKey[lowerASCII(action)]
		return id, ok
	}
	b := buf[:len(action)]
	for i := range len(action) {
		b[i] = toLowerASCII(action[i])
	}
	id, ok := c.byKey[string(b)]
	return id, ok
}

func (c *Catalog) serviceIndex(prefix string) (int32, bool) {
	i, ok := c.byPrefix[lowerASCII(prefix)]
	return i, ok
}

func toLowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// lowerASCII lower-cases ASCII letters only: IAM names are ASCII, and
// Unicode case mapping would let "K" (Kelvin sign) name an action.
func lowerASCII(s string) string {
	for i := range len(s) {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = toLowerASCII(b[j])
			}
			return string(b)
		}
	}
	return s
}
