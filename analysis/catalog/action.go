package catalog

import (
	"sort"
	"strconv"
	"strings"
)

// AccessLevel is the primary access level AWS assigns to an action.
//
// AWS lists two compound levels, "Permissions management, Write" and
// "Tagging, Write". Their first word is the primary level; the flags
// [Action.PermissionsManagement] and [Action.Tagging] keep the rest.
type AccessLevel uint8

// The zero AccessLevel is not a level, so that a forgotten field shows.
const (
	List AccessLevel = iota + 1
	Read
	Write
	PermissionsManagement
	Tagging
)

var levelNames = [...]string{
	List:                  "List",
	Read:                  "Read",
	Write:                 "Write",
	PermissionsManagement: "Permissions management",
	Tagging:               "Tagging",
}

// String returns the level as AWS writes it, such as "Permissions management".
func (l AccessLevel) String() string {
	if l == 0 || int(l) >= len(levelNames) {
		return "AccessLevel(" + strconv.Itoa(int(l)) + ")"
	}
	return levelNames[l]
}

// Action is one IAM action, such as s3:GetObject.
type Action struct {
	// ID is the action's index in the catalog, from 0 to Len()-1.
	ID int
	// Service is the IAM service prefix ("s3") and Name the action name
	// in AWS's display case ("GetObject").
	Service, Name string
	Level         AccessLevel
	// Tagging and PermissionsManagement are set when AWS's access level
	// names them, alone or with Write; both compound levels also mean Write.
	Tagging, PermissionsManagement bool
	// ResourceTypes are the resource types the action can be authorized
	// against, in AWS's order. None means Resource must be "*".
	ResourceTypes []ResourceRef
	// ConditionKeys are the action's condition keys, in AWS's spelling.
	ConditionKeys []string
}

// ResourceRef names one resource type an action applies to.
type ResourceRef struct {
	// Name is the resource type's key within the action's service.
	Name string
	// Required is AWS's asterisk: the action needs this resource type.
	Required bool
	// ConditionKeys apply only when the action names this resource type.
	ConditionKeys []string
}

// String returns the action as a policy writes it: "s3:GetObject".
func (a Action) String() string { return a.Service + ":" + a.Name }

// WildcardOnly reports whether the action has no resource types, so that
// a policy can only grant it on Resource "*".
func (a Action) WildcardOnly() bool { return len(a.ResourceTypes) == 0 }

// Privileged reports whether the action is a permissions-management
// action: one that can change who may do what. Ranking destructive Write
// actions is a separate, later analysis.
func (a Action) Privileged() bool { return a.PermissionsManagement }

// ResourceType is a kind of resource of a service, with its ARN template.
type ResourceType struct {
	// Service is the IAM service prefix that declares the type, which is
	// not always the service in the ARN: sts declares "role" with an iam ARN.
	Service string
	// Key names the type within its service ("object", "role").
	Key string
	// ARN is AWS's template, such as "arn:${Partition}:s3:::${BucketName}".
	ARN           string
	ConditionKeys []string
}

// ConditionKey is a condition key a service declares, with its type.
type ConditionKey struct {
	Key  string // "s3:prefix", "aws:RequestTag/${TagKey}"
	Type string // "String", "ARN", "Bool", "ArrayOfString", …
}

// Service is one IAM service prefix and what it declares.
type Service struct {
	Prefix string // "s3"
	Name   string // "Amazon S3"
	// Actions are in id order, which is alphabetical by lower-case name.
	Actions       []Action
	ResourceTypes []ResourceType
	// ConditionKeys are sorted by lower-case key.
	ConditionKeys []ConditionKey
}

// ConditionKey returns the service's condition key named key, ignoring
// case as IAM does.
func (s Service) ConditionKey(key string) (ConditionKey, bool) {
	key = strings.ToLower(key)
	i := sort.Search(len(s.ConditionKeys), func(i int) bool {
		return strings.ToLower(s.ConditionKeys[i].Key) >= key
	})
	if i < len(s.ConditionKeys) && strings.EqualFold(s.ConditionKeys[i].Key, key) {
		return s.ConditionKeys[i], true
	}
	return ConditionKey{}, false
}
