#!/bin/sh
# Keeps one namespace's image pull secret fresh: asks Berth for a Kubernetes Secret of type
# kubernetes.io/dockerconfigjson (POST .../registries/pull-secret, format "kubernetes") for the
# registries of some hosts, and pipes the YAML into `kubectl apply -f -`.
#
# Run it from a CronJob (docs/kubernetes/cronjob.yaml) or by hand. POSIX sh, curl and awk.
#
#   BERTH_URL         Berth's address, e.g. https://berth.example.com             (required)
#   BERTH_COMPANY     the company's id or slug                                   (required)
#   BERTH_HOSTS       registry hosts, separated by spaces or commas,
#                     e.g. "ghcr.io 123456789012.dkr.ecr.eu-west-1.amazonaws.com"  (required)
#   BERTH_TOKEN_FILE  file holding a Berth API token with the registries:pull scope
#                     (default /var/run/secrets/berth/token)
#   SECRET_NAME       the Secret to write (default berth-pull-secret)
#   SECRET_NAMESPACE  its namespace (default: the pod's own namespace, else "default")
#   KUBECTL           the command that applies the YAML (default "kubectl apply -f -")
#   CURL_CA_BUNDLE    curl's own variable: a CA file for a Berth behind a private CA
#
# Exits non-zero, with Berth's reason on stderr, on any answer but 200. The token is read from
# its file and handed to curl on standard input: it is never printed, never in the environment
# of a child process and never on a command line (where `ps` would show it).
set -eu

fail() {
  echo "refresh-pull-secret: $*" >&2
  exit 1
}

: "${BERTH_URL:?set BERTH_URL to Berth's address, e.g. https://berth.example.com}"
: "${BERTH_COMPANY:?set BERTH_COMPANY to the company's id or slug}"
: "${BERTH_HOSTS:?set BERTH_HOSTS to the registry hosts, e.g. ghcr.io}"
BERTH_TOKEN_FILE="${BERTH_TOKEN_FILE:-/var/run/secrets/berth/token}"
SECRET_NAME="${SECRET_NAME:-berth-pull-secret}"
if [ -z "${SECRET_NAMESPACE:-}" ]; then
  SECRET_NAMESPACE=default
  sa_namespace=/var/run/secrets/kubernetes.io/serviceaccount/namespace
  if [ -r "$sa_namespace" ]; then SECRET_NAMESPACE=$(cat "$sa_namespace"); fi
fi
KUBECTL="${KUBECTL:-kubectl apply -f -}"

[ -r "$BERTH_TOKEN_FILE" ] || fail "cannot read the API token file $BERTH_TOKEN_FILE"
token=$(tr -d ' \r\n' < "$BERTH_TOKEN_FILE")
case "$token" in
  brt_*) ;;
  *) fail "$BERTH_TOKEN_FILE does not hold a Berth API token (brt_...)" ;;
esac
case "$token" in
  *[!A-Za-z0-9_-]*) fail "$BERTH_TOKEN_FILE holds characters an API token never has" ;;
esac

# Only characters that need no escaping in JSON or a URL path get through.
case "$BERTH_COMPANY" in
  '' | *[!A-Za-z0-9-]*) fail "BERTH_COMPANY must be the company's id or slug" ;;
esac
case "$SECRET_NAME$SECRET_NAMESPACE" in
  *[!a-z0-9.-]*) fail "SECRET_NAME and SECRET_NAMESPACE must be lower-case DNS names" ;;
esac
hosts=""
for host in $(printf '%s' "$BERTH_HOSTS" | tr ',' ' '); do
  case "$host" in
    *[!]A-Za-z0-9.:/_[-]*) fail "not a registry host: $host" ;;
  esac
  hosts="$hosts${hosts:+,}\"$host\""
done
[ -n "$hosts" ] || fail "BERTH_HOSTS names no host"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
umask 077

printf '{"hosts":[%s],"format":"kubernetes","name":"%s","namespace":"%s"}' "$hosts" "$SECRET_NAME" "$SECRET_NAMESPACE" > "$work/request.json"

# The token goes to curl through its configuration on standard input.
status=$(
  printf 'header = "Authorization: Bearer %s"\n' "$token" |
    curl --config - --silent --show-error --max-time 60 \
      --request POST \
      --header "Content-Type: application/json" \
      --header "Accept: application/json" \
      --user-agent "berth-refresh-pull-secret/1" \
      --data-binary "@$work/request.json" \
      --output "$work/answer.json" \
      --write-out '%{http_code}' \
      "${BERTH_URL%/}/api/v1/companies/$BERTH_COMPANY/registries/pull-secret"
) || fail "could not reach Berth at $BERTH_URL"

# Prints the string value of a top-level member of a one-line JSON object, unescaped.
json_string() {
  awk -v member="$1" '
    BEGIN { RS = "\001" }
    {
      start = index($0, "\"" member "\":\"")
      if (start == 0) exit 1
      s = substr($0, start + length(member) + 4)
      out = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\"") { printf "%s", out; exit 0 }
        if (c != "\\") { out = out c; continue }
        i++
        e = substr(s, i, 1)
        if (e == "n") out = out "\n"
        else if (e == "t") out = out "\t"
        else if (e == "r") out = out "\r"
        else if (e == "b") out = out "\b"
        else if (e == "f") out = out "\f"
        else if (e == "u") {
          code = 0
          for (k = 1; k <= 4; k++) code = code * 16 + index("0123456789abcdef", tolower(substr(s, i + k, 1))) - 1
          i += 4
          if (code < 128) out = out sprintf("%c", code)
          else exit 2
        } else out = out e
      }
      exit 1
    }' "$work/answer.json"
}

if [ "$status" != "200" ]; then
  detail=$(json_string detail 2>/dev/null || true)
  fail "Berth answered HTTP $status${detail:+: $detail}"
fi

json_string content > "$work/secret.yaml" || fail "Berth's answer holds no Secret (content)"
grep -q '^kind: Secret' "$work/secret.yaml" || fail "Berth's answer is not a Kubernetes Secret"
sh -c "$KUBECTL" < "$work/secret.yaml"
echo "refresh-pull-secret: applied Secret $SECRET_NAMESPACE/$SECRET_NAME for $BERTH_HOSTS" >&2
