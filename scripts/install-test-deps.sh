#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real when they are missing: Chromium for
# browser tests, xmllint and xml.xsd for schema checks, Catmandu's OAI-PMH provider as an independent
# OAI-PMH server, promtool (from prometheus) for the alert rules, and docker-compose and
# systemd-analyze for the files in deploy/. nats-server, of the version in go.mod, is built into the
# cache for deploy/'s configuration checks.
set -euo pipefail
cd "$(dirname "$0")/.."

nats_version=$(awk '$1 == "github.com/nats-io/nats-server/v2" {print $2}' go.mod)
nats_dir="${ORCHARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/orchard}/nats-server-$nats_version"
if [ ! -x "$nats_dir/nats-server" ]; then
  echo "building nats-server $nats_version into $nats_dir" >&2
  mkdir -p "$nats_dir"
  GOBIN="$nats_dir" go install "github.com/nats-io/nats-server/v2@$nats_version"
fi

pkgs=()
command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
command -v xmllint >/dev/null 2>&1 || pkgs+=(libxml2-utils)
[ -f /usr/share/xml/xmltooling/xml.xsd ] || pkgs+=(xmltooling-schemas) # xml.xsd, imported by the OAI-PMH schema
command -v promtool >/dev/null 2>&1 || pkgs+=(prometheus) # promtool checks deploy/prometheus/alerts.yml
command -v docker-compose >/dev/null 2>&1 || pkgs+=(docker-compose)
command -v systemd-analyze >/dev/null 2>&1 || pkgs+=(systemd)
perl -MDancer::Plugin::Catmandu::OAI -e1 >/dev/null 2>&1 || pkgs+=(libdancer-plugin-catmandu-oai-perl)
perl -MCatmandu::Importer::OAI -e1 >/dev/null 2>&1 || pkgs+=(libcatmandu-oai-perl) # harvests Orchard's own /oai
for m in Class::Accessor Date::Manip XML::DOM Try::Tiny Data::UUID JSON CGI; do
  perl -M"$m" -e1 >/dev/null 2>&1 || pkgs+=("$(case $m in
    Class::Accessor) echo libclass-accessor-perl ;; Date::Manip) echo libdate-manip-perl ;;
    XML::DOM) echo libxml-dom-perl ;; Try::Tiny) echo libtry-tiny-perl ;;
    Data::UUID) echo libdata-uuid-perl ;; JSON) echo libjson-perl ;; CGI) echo libcgi-pm-perl ;; esac)")
done
[ ${#pkgs[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing ${pkgs[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
