#!/usr/bin/env bash
# schema-check: fails when schema.graphqls changes in a breaking way that
# clients were not warned of by a deprecation.
#
#   scripts/schema-check.sh             compare the working tree's schema.graphqls
#                                       with the one committed at the base revision
#   scripts/schema-check.sh OLD NEW     compare two schema files
#
# The base revision is SCHEMA_BASE when set; else origin/main when that ref
# exists and is not the commit checked out (a branch is compared with main);
# else HEAD~1 (on a clone of main, as CI has, the last landed commit is
# compared with the one before). A base that does not exist, or has no
# schema.graphqls, passes with a message.
#
# The diff is graphql-inspector's (scripts/schema-check/package.json pins it;
# `npm ci` installs it into scripts/schema-check/node_modules on first use).
# Breaking: removing or renaming a type, field, argument, enum value or input
# field; changing a type; adding a required argument or input field; ...
# Allowed: additions, description changes, deprecations, and removing a field,
# enum value or input field that the base had already marked @deprecated.
# The way to remove something: deprecate it (@deprecated(reason: "Use ...")),
# land that, and remove it in a later change.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/scripts/schema-check"
inspector="$tools/node_modules/.bin/graphql-inspector"

say() { echo "schema-check: $*" >&2; }

install_tools() {
  # npm keeps a copy of the lock it installed in node_modules/.package-lock.json:
  # reinstall when package-lock.json is newer (or nothing is installed).
  if [ -x "$inspector" ] && [ "$tools/node_modules/.package-lock.json" -nt "$tools/package-lock.json" ]; then
    return
  fi
  command -v npm >/dev/null || { say "npm is not installed (Node.js 18 or later is needed)"; exit 1; }
  say "installing graphql-inspector (npm ci in scripts/schema-check)"
  # --loglevel=error: the CLI's URL loader asks for Node 22 (EBADENGINE
  # warnings); comparing files does not use it.
  (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >&2)
}

compare() {
  local old=$1 new=$2 label=$3
  install_tools
  say "comparing $label"
  # --rule suppressRemovalOfDeprecatedField: removing what the old schema
  # deprecated is reported as dangerous, not breaking.
  if "$inspector" diff "$old" "$new" --rule suppressRemovalOfDeprecatedField; then
    say "no breaking change"
  else
    say "FAILED: $label has a breaking change (or a schema does not parse)."
    say "Make the change additive instead: add the new field (new arguments and input fields optional),"
    say "mark the old one @deprecated(reason: \"Use ... instead.\"), and remove it in a later change."
    say "SCHEMA_BASE=<rev> picks another base revision."
    return 1
  fi
}

if [ $# -eq 2 ]; then
  compare "$1" "$2" "$1 -> $2"
  exit
elif [ $# -ne 0 ]; then
  echo "usage: $0 [OLD_SCHEMA NEW_SCHEMA]" >&2
  exit 2
fi

cd "$root"
schema=schema.graphqls
[ -f "$schema" ] || { say "$schema is missing from the working tree"; exit 1; }

rev_exists() { git rev-parse --verify --quiet "$1^{commit}" >/dev/null 2>&1; }

if [ -n "${SCHEMA_BASE:-}" ]; then
  base=$SCHEMA_BASE
elif rev_exists origin/main && [ "$(git rev-parse origin/main)" != "$(git rev-parse HEAD 2>/dev/null)" ]; then
  base=origin/main
else
  base=HEAD~1
fi

if ! rev_exists "$base"; then
  say "base revision $base does not exist (first commit, or a shallow clone): nothing to compare, passing"
  exit 0
fi
base_commit=$(git rev-parse --short "$base^{commit}")
if ! git cat-file -e "$base_commit:$schema" 2>/dev/null; then
  say "$base ($base_commit) has no $schema: nothing to compare, passing"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git show "$base_commit:$schema" >"$tmp/base.graphqls"
if cmp -s "$tmp/base.graphqls" "$schema"; then
  say "$schema is unchanged since $base ($base_commit)"
  exit 0
fi
compare "$tmp/base.graphqls" "$schema" "$schema at $base ($base_commit) -> working tree"
