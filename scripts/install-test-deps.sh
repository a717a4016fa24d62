#!/usr/bin/env bash
# Installs the Debian packages the test suite drives for real when they are missing: promtool (from
# prometheus) for the alert rules, Chromium for
# browser tests, xmllint and xml.xsd for schema checks, and Catmandu's OAI-PMH provider as an independent
# OAI-PMH server.
set -euo pipefail

pkgs=()
command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
command -v xmllint >/dev/null 2>&1 || pkgs+=(libxml2-utils)
[ -f /usr/share/xml/xmltooling/xml.xsd ] || pkgs+=(xmltooling-schemas) # xml.xsd, imported by the OAI-PMH schema
command -v promtool >/dev/null 2>&1 || pkgs+=(prometheus) # promtool checks deploy/prometheus/alerts.yml
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
