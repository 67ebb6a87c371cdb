package policy

import "encoding/json"

// The JSON forms below are what the CLI and the API print; other tools read
// them, so field names are fixed.

type reasonJSON struct {
	Layer       string `json:"layer"`
	Level       *int   `json:"level,omitempty"`
	Policy      string `json:"policy,omitempty"`
	Sid         string `json:"sid,omitempty"`
	Statement   *int   `json:"statement,omitempty"`
	Effect      string `json:"effect,omitempty"`
	Conditional bool   `json:"conditional,omitempty"`
	Message     string `json:"message,omitempty"`
}

// MarshalJSON writes a reason as {"layer","level","policy","sid",
// "statement","effect","conditional","message"}, leaving out what does not
// apply (level outside SCP/RCP, statement for a layer reason).
func (r Reason) MarshalJSON() ([]byte, error) {
	j := reasonJSON{Layer: r.Layer.String(), Policy: r.Policy, Sid: r.Sid,
		Conditional: r.Conditional, Message: r.Message}
	if r.Layer == LayerSCP || r.Layer == LayerRCP {
		j.Level = &r.Level
	}
	if r.Statement >= 0 {
		j.Statement = &r.Statement
		j.Effect = r.Effect.String()
	}
	if r.Layer == 0 {
		j.Layer = "aws"
	}
	return json.Marshal(j)
}

// MarshalJSON writes {"decision","missing_context","explanation"}; both lists
// are always present, empty rather than null.
func (r Result) MarshalJSON() ([]byte, error) {
	missing, expl := r.MissingContext, r.Explanation
	if missing == nil {
		missing = []string{}
	}
	if expl == nil {
		expl = []Reason{}
	}
	return json.Marshal(struct {
		Decision       string   `json:"decision"`
		MissingContext []string `json:"missing_context"`
		Explanation    []Reason `json:"explanation"`
	}{r.Decision.String(), missing, expl})
}
