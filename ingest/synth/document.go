package synth

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// doc is a policy document. Its fields marshal in the order AWS prints them;
// every list with one element marshals as a plain string, as people write it.
type doc struct {
	Version   string
	Statement []stmt
}

type stmt struct {
	Sid          string     `json:",omitempty"`
	Effect       string     // "Allow" or "Deny"
	Principal    *principal `json:",omitempty"`
	NotPrincipal *principal `json:",omitempty"`
	Action       list       `json:",omitempty"`
	NotAction    list       `json:",omitempty"`
	Resource     list       `json:",omitempty"`
	NotResource  list       `json:",omitempty"`
	Condition    cond       `json:",omitempty"`
}

// list is a string-or-list element.
type list []string

func (l list) MarshalJSON() ([]byte, error) {
	if len(l) == 1 {
		return json.Marshal(l[0])
	}
	return json.Marshal([]string(l))
}

// principal is a Principal element; Any marshals as "*".
type principal struct {
	Any       bool
	AWS       list
	Service   list
	Federated list
}

func (p *principal) MarshalJSON() ([]byte, error) {
	if p.Any {
		return []byte(`"*"`), nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for _, m := range []struct {
		key string
		val list
	}{{"AWS", p.AWS}, {"Service", p.Service}, {"Federated", p.Federated}} {
		if len(m.val) == 0 {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		v, _ := m.val.MarshalJSON()
		b.WriteString(strconv.Quote(m.key) + ":")
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// cond is a Condition element, kept in the order it was built.
type cond []condOp

type condOp struct {
	op   string // StringEquals, ArnLike, ...
	key  string
	vals list
}

func (c cond) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i := 0; i < len(c); {
		op := c[i].op
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(op) + ":{")
		for j := i; j < len(c) && c[j].op == op; j++ {
			if j > i {
				b.WriteByte(',')
			}
			v, _ := c[j].vals.MarshalJSON()
			b.WriteString(strconv.Quote(c[j].key) + ":")
			b.Write(v)
			i = j + 1
		}
		b.WriteByte('}')
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// cnd builds a cond from (operator, key, values...) triples written as
// consecutive calls; operators that repeat must be adjacent.
func cnd(op, key string, vals ...string) condOp { return condOp{op: op, key: key, vals: vals} }

func allow(actions list, resources ...string) stmt {
	return stmt{Effect: "Allow", Action: actions, Resource: resources}
}

func deny(actions list, resources ...string) stmt {
	return stmt{Effect: "Deny", Action: actions, Resource: resources}
}

func (s stmt) sid(id string) stmt             { s.Sid = id; return s }
func (s stmt) when(c ...condOp) stmt          { s.Condition = append(s.Condition, c...); return s }
func (s stmt) by(p *principal) stmt           { s.Principal = p; return s }
func acts(a ...string) list                   { return a }
func newDoc(s ...stmt) doc                    { return doc{Version: "2012-10-17", Statement: s} }
func awsPrincipal(arns ...string) *principal  { return &principal{AWS: arns} }
func servicePrincipal(s ...string) *principal { return &principal{Service: s} }
func federated(arn string) *principal         { return &principal{Federated: list{arn}} }

// raw marshals d as compact JSON.
func (d doc) raw() json.RawMessage {
	b, err := json.Marshal(d)
	if err != nil {
		panic("synth: marshal policy document: " + err.Error()) // only our own types: a broken invariant
	}
	return b
}

// text is d as a JSON string, as resource-policy APIs return it.
func (d doc) text() string { return string(d.raw()) }
