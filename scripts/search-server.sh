#!/usr/bin/env bash
# A local search node for Clocher, without Docker; safe to run again at any time.
#
#   scripts/search-server.sh [start|stop|restart|status|install|verify|reset|url]
#   scripts/opensearch-server.sh ...        same, with SEARCH_ENGINE=opensearch
#
# Everything comes from Maven Central through `mvn dependency:copy` (the only
# place besides PyPI/npm/apt that this project's machines reach):
#
#   elasticsearch  org.elasticsearch.distribution.integ-test-zip:elasticsearch:8.19.21:zip
#                  A real Elasticsearch 8 server, but the integ-test build: its only
#                  modules are transport-netty4, x-pack-core, x-pack-security and apm.
#                  No analysis-common (no elision, asciifolding, stemmer, synonyms,
#                  french analyzer), no mapper-extras (no search_as_you_type), no
#                  rest-root (GET / and HEAD / answer 405). See docs/search-node.md.
#   opensearch     org.opensearch.distribution.integ-test-zip:opensearch:2.19.6:zip
#                  completed with the official module jars org.opensearch.plugin:
#                  lang-painless, analysis-common and mapper-extras-client (2.19.6),
#                  which this script lays out as modules/ with plugin descriptors.
#                  That node has the full French analysis chain.
#
# Layout: $SEARCH_HOME (default var/search/ in this checkout) holds one unpacked node
# per engine and version, with its data/ and logs/ inside. The artifacts stay in the
# Maven local repository (~/.m2), which is the cache: a fresh checkout unpacks again
# from there without network.
# Elasticsearch and OpenSearch refuse to run as root: as root this script creates a
# system user (elasticsearch / opensearch) and runs the node under it with runuser.
# The node binds 127.0.0.1 only, single-node discovery, security off, 512 MiB heap.
#
# `start` prints one line on stdout, e.g. ELASTICSEARCH_URL=http://127.0.0.1:9200
# (OPENSEARCH_URL=... for OpenSearch), so callers can `export "$(scripts/search-server.sh start)"`.
# Progress goes to stderr.
#
# Settings (environment):
#   SEARCH_ENGINE        elasticsearch (default) or opensearch
#   ES_VERSION           8.19.21           OPENSEARCH_VERSION  2.19.6
#   SEARCH_PORT          9200 (elasticsearch) / 9201 (opensearch), so both can run at once
#   SEARCH_HEAP          512m
#   SEARCH_HOME          var/search in this checkout; /var/lib/clocher-search when the
#                        service user cannot reach the checkout (e.g. under /root)
#   SEARCH_JAVA_HOME     a JDK 17 or 21 (found under /usr/lib/jvm when unset)
#   SEARCH_ANALYSIS_DIR  files copied into the node's config/analysis/ at start
#                        (synonym lists for synonyms_path); default search/analysis
#   SEARCH_HUNSPELL_FR   1 (default): put Debian's French Hunspell dictionary (apt package
#                        hunspell-fr-classical) in config/hunspell/fr_FR/; 0: don't
#   SEARCH_MMAP          1 (default): the store maps index files (the engines' default,
#                        hybridfs); 0: no mmap (niofs), for a machine whose
#                        vm.max_map_count is too low for the indices it holds
#   SEARCH_START_TIMEOUT seconds to wait for yellow/green health (default 180)
#   MAVEN_REPO_LOCAL     passed to mvn as -Dmaven.repo.local (default: ~/.m2/repository)
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)

engine=${SEARCH_ENGINE:-elasticsearch}
case "$engine" in
    elasticsearch)
        version=${ES_VERSION:-8.19.21}
        port=${SEARCH_PORT:-9200}
        service_user=elasticsearch
        url_var=ELASTICSEARCH_URL
        bin_name=elasticsearch
        config_file=elasticsearch.yml
        java_home_var=ES_JAVA_HOME
        ;;
    opensearch)
        version=${OPENSEARCH_VERSION:-2.19.6}
        port=${SEARCH_PORT:-9201}
        service_user=opensearch
        url_var=OPENSEARCH_URL
        bin_name=opensearch
        config_file=opensearch.yml
        java_home_var=OPENSEARCH_JAVA_HOME
        ;;
    *)
        echo "search-server.sh: SEARCH_ENGINE must be elasticsearch or opensearch, not '$engine'" >&2
        exit 2
        ;;
esac
# lang-painless's own dependencies, as its POM (org.opensearch.plugin:lang-painless:2.19.6) lists them.
painless_antlr_version=${OPENSEARCH_ANTLR_VERSION:-4.13.1}
painless_asm_version=${OPENSEARCH_ASM_VERSION:-9.7}
dependency_plugin=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

heap=${SEARCH_HEAP:-512m}
start_timeout=${SEARCH_START_TIMEOUT:-180}
analysis_dir=${SEARCH_ANALYSIS_DIR:-$repo/search/analysis}
hunspell_fr=${SEARCH_HUNSPELL_FR:-1}
url="http://127.0.0.1:$port"

say() { echo "search-server.sh [$engine]: $*" >&2; }
die() { say "error: $*"; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# The artifacts, as G:A:V[:type]. Change a version here and the next start re-installs.
artifacts() {
    if [ "$engine" = elasticsearch ]; then
        echo "org.elasticsearch.distribution.integ-test-zip:elasticsearch:$version:zip"
    else
        echo "org.opensearch.distribution.integ-test-zip:opensearch:$version:zip"
        echo "org.opensearch.plugin:lang-painless:$version"
        echo "org.opensearch.plugin:opensearch-scripting-painless-spi:$version"
        echo "org.antlr:antlr4-runtime:$painless_antlr_version"
        local a
        for a in asm asm-util asm-tree asm-commons asm-analysis; do
            echo "org.ow2.asm:$a:$painless_asm_version"
        done
        echo "org.opensearch.plugin:analysis-common:$version"
        echo "org.opensearch.plugin:mapper-extras-client:$version"
    fi
}

# ---------------------------------------------------------------------------------
# Prerequisites: a JDK 17/21, Maven, unzip, curl (Debian packages when missing).

apt_install() {
    is_root || die "missing $*: install it (apt-get install $*) or run as root"
    say "installing $* (apt-get)"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

java_major() { "$1/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p'; }

find_java() {
    if [ -n "${SEARCH_JAVA_HOME:-}" ]; then
        [ -x "$SEARCH_JAVA_HOME/bin/java" ] || die "SEARCH_JAVA_HOME=$SEARCH_JAVA_HOME has no bin/java"
        echo "$SEARCH_JAVA_HOME"
        return
    fi
    # ES 8 and OpenSearch 2.19 run on 17 or 21; newer JDKs are not what they were built for.
    local candidate
    for candidate in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-21-openjdk-* \
        /usr/lib/jvm/temurin-17-* /usr/lib/jvm/temurin-21-*; do
        if [ -x "$candidate/bin/java" ]; then
            echo "$candidate"
            return
        fi
    done
    if command -v java >/dev/null 2>&1; then
        candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
        case "$(java_major "$candidate")" in
            17 | 21) echo "$candidate"; return ;;
        esac
    fi
    return 1
}

ensure_tools() {
    local missing=()
    command -v mvn >/dev/null 2>&1 || missing+=(maven)
    command -v unzip >/dev/null 2>&1 || missing+=(unzip)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    find_java >/dev/null || missing+=(openjdk-17-jdk-headless)
    if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi
    java_home=$(find_java) || die "no JDK 17 or 21 found; set SEARCH_JAVA_HOME"
}

# ---------------------------------------------------------------------------------
# Where things live.

ensure_user() {
    is_root || return 0
    if ! id -u "$service_user" >/dev/null 2>&1; then
        say "creating system user $service_user"
        useradd --system --user-group --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin "$service_user"
    fi
}

as_service() {
    # From / so the service user is not bothered by an unreadable working directory.
    if is_root; then
        (cd / && runuser -u "$service_user" -- "$@")
    else
        (cd / && "$@")
    fi
}

choose_home() {
    if [ -n "${SEARCH_HOME:-}" ]; then
        home=$SEARCH_HOME
    else
        home=$repo/var/search
        mkdir -p "$home"
        if is_root && id -u "$service_user" >/dev/null 2>&1 && ! as_service test -x "$home" 2>/dev/null; then
            # e.g. a checkout under /root (mode 700): the service user cannot get in.
            home=/var/lib/clocher-search
            say "the $service_user user cannot reach $repo/var/search; using $home"
        fi
    fi
    mkdir -p "$home"
    home=$(cd "$home" && pwd)
    # One install/start/stop at a time per engine (two terminals, make -j, ...).
    if [ "${1:-}" != nolock ] && [ -z "${lock_held:-}" ] && command -v flock >/dev/null 2>&1; then
        exec 9>"$home/.lock-$engine"
        flock 9
        lock_held=1
    fi
    downloads=$home/.download-$engine-$version
    node_dir=$home/$engine-$version
    pid_file=$node_dir/$bin_name.pid
}

# ---------------------------------------------------------------------------------
# install: fetch with Maven, unpack, lay out modules, write the configuration.

fetch() {
    local list
    list=$(artifacts)
    rm -rf "$downloads"
    mkdir -p "$downloads"
    say "fetching through Maven (mvn dependency:copy, Maven Central or ~/.m2):"
    local items="" gav g a v t
    while IFS= read -r gav; do
        say "  $gav"
        IFS=: read -r g a v t <<<"$gav"
        items+="<artifactItem><groupId>$g</groupId><artifactId>$a</artifactId><version>$v</version><type>${t:-jar}</type></artifactItem>"
    done <<<"$list"
    # One Maven run for all artifacts (one `mvn dependency:copy -Dartifact=...` each
    # costs ~5 s of Maven start-up); dependency:copy never pulls transitive dependencies.
    cat >"$downloads/pom.xml" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by scripts/search-server.sh: only used to run dependency:copy. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.clocher</groupId>
  <artifactId>search-node-$engine</artifactId>
  <version>$version</version>
  <packaging>pom</packaging>
  <build><plugins><plugin>
    <groupId>org.apache.maven.plugins</groupId>
    <artifactId>maven-dependency-plugin</artifactId>
    <version>${dependency_plugin##*:}</version>
    <configuration>
      <outputDirectory>$downloads</outputDirectory>
      <overWriteReleases>false</overWriteReleases>
      <artifactItems>$items</artifactItems>
    </configuration>
  </plugin></plugins></build>
</project>
POM
    local mvn_args=(-B -q -Dstyle.color=never -f "$downloads/pom.xml")
    if [ -n "${MAVEN_REPO_LOCAL:-}" ]; then mvn_args+=("-Dmaven.repo.local=$MAVEN_REPO_LOCAL"); fi
    # (sed: Maven 3.8 prints bare colour resets even in batch mode.)
    JAVA_HOME=$java_home mvn "${mvn_args[@]}" "$dependency_plugin:copy" 2>&1 \
        | sed 's/\x1b\[[0-9;]*m//g' | { grep -v '^$' || true; } >&2 \
        || die "mvn dependency:copy failed (see above)"
}

write_descriptor() { # dir name classname description extended-plugins
    cat >"$1/plugin-descriptor.properties" <<EOF
# Written by scripts/search-server.sh: the Maven jars carry no descriptor.
description=$4
version=$version
name=$2
classname=$3
java.version=11
opensearch.version=$version
custom.foldername=
extended.plugins=$5
has.native.controller=false
EOF
}

add_opensearch_modules() { # unpacked node dir
    local m=$1/modules
    mkdir -p "$m/lang-painless" "$m/analysis-common" "$m/mapper-extras"
    cp "$downloads/lang-painless-$version.jar" \
        "$downloads/opensearch-scripting-painless-spi-$version.jar" \
        "$downloads/antlr4-runtime-$painless_antlr_version.jar" \
        "$downloads"/asm*-"$painless_asm_version".jar "$m/lang-painless/"
    cp "$downloads/analysis-common-$version.jar" "$m/analysis-common/"
    cp "$downloads/mapper-extras-client-$version.jar" "$m/mapper-extras/"
    write_descriptor "$m/lang-painless" lang-painless org.opensearch.painless.PainlessPlugin \
        "An easy, safe and fast scripting language for OpenSearch" ""
    # Painless generates classes at run time (same grant as the distribution's module).
    cat >"$m/lang-painless/plugin-security.policy" <<'EOF'
grant {
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
EOF
    # analysis-common extends lang-painless (script-based filters, PainlessExtension).
    write_descriptor "$m/analysis-common" analysis-common \
        org.opensearch.analysis.common.CommonAnalysisPlugin \
        "Adds common analysis capabilities to OpenSearch" lang-painless
    write_descriptor "$m/mapper-extras" mapper-extras org.opensearch.index.mapper.MapperExtrasPlugin \
        "Adds advanced field mappers" ""
}

write_config() { # node dir
    local conf=$1/config
    {
        echo "# Written by scripts/search-server.sh; rewritten at every start."
        echo "cluster.name: clocher-search"
        echo "node.name: clocher-$engine"
        echo "network.host: 127.0.0.1"
        echo "http.port: $port"
        # Transport stays on its default range (9300-9400): the first free port is taken.
        echo "discovery.type: single-node"
        # The engines' own store (hybridfs: the hot index files mapped). Without mmap
        # (niofs) every read is a system call: 30 % (Elasticsearch) and 47 % (OpenSearch)
        # more node CPU per search (issue 4, session 14). vm.max_map_count (65530 in
        # containers, which cannot raise it) only warns in development mode and is far
        # above what a few indices map; SEARCH_MMAP=0 turns mmap off.
        if [ "${SEARCH_MMAP:-1}" = 0 ]; then echo "node.store.allow_mmap: false"; fi
        # CI disks may be fuller than the 85/90 % watermarks: never refuse to allocate.
        echo "cluster.routing.allocation.disk.threshold_enabled: false"
        # Tests may delete indices by wildcard (test-*).
        echo "action.destructive_requires_name: false"
        # Load the Hunspell dictionary when an index first uses it, not at every start.
        echo "indices.analysis.hunspell.dictionary.lazy: true"
        if [ "$engine" = elasticsearch ]; then
            echo "xpack.security.enabled: false"
            echo "xpack.ml.enabled: false"
        fi
    } >"$conf/$config_file"
    printf -- '-Xms%s\n-Xmx%s\n' "$heap" "$heap" >"$conf/jvm.options.d/clocher.options"
    mkdir -p "$conf/analysis"
    if [ -d "$analysis_dir" ]; then cp -R "$analysis_dir/." "$conf/analysis/"; fi
    add_hunspell_fr "$conf"
}

# A French Hunspell dictionary (Debian's hunspell-fr-classical) in config/hunspell/fr_FR/,
# for the server's own `hunspell` token filter: the one French stemmer (it also strips
# l', d', qu'...) that the bare Elasticsearch node has. OpenSearch gets it too.
add_hunspell_fr() { # config dir
    [ "$hunspell_fr" = 1 ] || return 0
    local target=$1/hunspell/fr_FR src=/usr/share/hunspell
    if [ -f "$target/fr_FR.dic" ]; then return 0; fi
    if [ ! -f "$src/fr_FR.dic" ] && is_root; then
        apt_install hunspell-fr-classical || say "warning: no hunspell-fr-classical: no hunspell fr_FR"
    fi
    if [ -f "$src/fr_FR.dic" ] && [ -f "$src/fr_FR.aff" ]; then
        mkdir -p "$target"
        cp -L "$src/fr_FR.aff" "$src/fr_FR.dic" "$target/"
    else
        say "warning: no French Hunspell dictionary in $src: the hunspell fr_FR filter is unavailable"
    fi
}

install_node() {
    ensure_tools
    ensure_user
    choose_home
    local stamp=$node_dir/.clocher-installed
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$(artifacts)" ]; then
        if node_pid >/dev/null; then die "$node_dir is running but must be re-installed: run stop first"; fi
        fetch
        say "unpacking into $node_dir"
        local tmp=$home/.unpack-$engine-$version
        rm -rf "$tmp" "$node_dir"
        mkdir -p "$tmp"
        unzip -q "$downloads/$engine-$version.zip" -d "$tmp"
        mv "$tmp/$engine-$version" "$node_dir"
        rmdir "$tmp"
        if [ "$engine" = opensearch ]; then add_opensearch_modules "$node_dir"; fi
        rm -rf "$downloads"
        mkdir -p "$node_dir/data" "$node_dir/logs"
        artifacts >"$stamp"
    fi
    write_config "$node_dir"
    # The node writes its keystore into config/, its data and logs: it owns the tree.
    if is_root; then chown -R "$service_user:$service_user" "$node_dir"; fi
}

# ---------------------------------------------------------------------------------
# start / stop / status

node_pid() {
    # The pid of the node this script started, if it is still that node.
    [ -f "$pid_file" ] || return 1
    local pid
    pid=$(cat "$pid_file" 2>/dev/null) || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$node_dir" || return 1
    echo "$pid"
}

health() {
    { curl -s -m 5 "$url/_cluster/health" 2>/dev/null || true; } | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p'
}

wait_ready() {
    local pid=$1 deadline=$((SECONDS + start_timeout)) status
    while [ "$SECONDS" -lt "$deadline" ]; do
        status=$(health)
        case "$status" in
            green | yellow) say "node up ($status) in $((SECONDS - started_at)) s, pid $pid"; return 0 ;;
        esac
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 40 "$node_dir/logs/launcher.out" >&2 || true
            die "the node died while starting: see $node_dir/logs/"
        fi
        sleep 1
    done
    die "no green/yellow health on $url after $start_timeout s: see $node_dir/logs/"
}

start_node() {
    install_node
    local pid
    started_at=$SECONDS
    if pid=$(node_pid); then
        if [ -n "$(health)" ]; then
            say "already running (pid $pid)"
            echo "$url_var=$url"
            return 0
        fi
    else
        rm -f "$pid_file"
        if curl -s -m 2 -o /dev/null "$url/" 2>/dev/null; then
            die "port $port is taken by another process (not this checkout's node): stop it or set SEARCH_PORT"
        fi
        say "starting $engine $version on $url (heap $heap, java $java_home)"
        # Raise the open-files limit as far as this shell may (the node only warns below 65535).
        ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
        # setsid: a Ctrl-C in the calling terminal or make does not reach the node.
        # 9>&-: the node must not inherit (and so hold forever) this script's lock.
        as_service setsid -w env "$java_home_var=$java_home" \
            "$node_dir/bin/$bin_name" -d -p "$pid_file" >"$node_dir/logs/launcher.out" 2>&1 9>&- \
            || { tail -n 40 "$node_dir/logs/launcher.out" >&2; die "the node failed to start: see $node_dir/logs/"; }
        for _ in $(seq 1 50); do
            if pid=$(node_pid); then break; fi
            sleep 0.2
        done
        pid=$(node_pid) || { tail -n 40 "$node_dir/logs/launcher.out" >&2; die "the node did not stay up: see $node_dir/logs/"; }
    fi
    wait_ready "$pid"
    echo "$url_var=$url"
}

stop_node() {
    choose_home
    local pid
    if ! pid=$(node_pid); then
        rm -f "$pid_file"
        say "not running"
        return 0
    fi
    say "stopping pid $pid"
    kill -TERM "$pid"
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$pid_file"; say "stopped"; return 0; }
        sleep 0.5
    done
    say "still running after 30 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pid_file"
}

status_node() {
    choose_home nolock
    local pid
    if pid=$(node_pid); then
        local rss
        rss=$(ps -o rss= -p "$pid" | tr -d ' ')
        say "running: pid $pid, $url, health $(health || true), RSS $((rss / 1024)) MiB, home $node_dir"
        echo "$url_var=$url"
    else
        say "stopped (home $node_dir)"
        return 3
    fi
}

reset_node() {
    stop_node
    if [ -d "$node_dir/data" ]; then
        say "deleting $node_dir/data"
        rm -rf "$node_dir/data"
        mkdir -p "$node_dir/data"
        if is_root; then chown "$service_user:$service_user" "$node_dir/data"; fi
    fi
}

# ---------------------------------------------------------------------------------
# verify: what this node supports for Clocher's search (French analysis, geo, ...).
# Prints one line per check, "works" or "FAILS", and a summary; exit 0 either way
# unless the node is unreachable (a bare Elasticsearch fails several checks by design).

call() { # METHOD PATH [JSON] -> sets $code and $body
    local out
    if [ $# -ge 3 ]; then
        out=$(curl -s -m 60 -X "$1" "$url$2" -H 'Content-Type: application/json' -d "$3" -w '\n%{http_code}')
    else
        out=$(curl -s -m 60 -X "$1" "$url$2" -w '\n%{http_code}')
    fi
    code=${out##*$'\n'}
    body=${out%$'\n'*}
}

works=0
fails=0
report() { # ok|fail name detail
    if [ "$1" = ok ]; then
        works=$((works + 1))
        printf '  works  %-50s %s\n' "$2" "$3"
    else
        fails=$((fails + 1))
        printf '  FAILS  %-50s %s\n' "$2" "$3"
    fi
}

error_of() {
    jq -r 'if (.error | type) == "object" then (.error.root_cause[0].reason // .error.reason)
           else .error end // empty' <<<"$body" 2>/dev/null | head -c 160 || true
}
tokens_of() { jq -r '[.tokens[].token] | join(" ")' <<<"$body" 2>/dev/null || true; }
hits_of() { jq -r '[.hits.hits[]._id] | join(",")' <<<"$body" 2>/dev/null || true; }

check_analyze() { # name request expected-tokens
    call POST /_analyze "$2"
    local got
    got=$(tokens_of)
    if [ "$code" = 200 ] && [ "$got" = "$3" ]; then
        report ok "$1" "-> $got"
    elif [ "$code" = 200 ]; then
        report fail "$1" "-> '$got', expected '$3'"
    else
        report fail "$1" "HTTP $code: $(error_of)"
    fi
}

check_search() { # name index query-json expected-ids
    call POST "/$2/_search" "$3"
    local got
    got=$(hits_of)
    if [ "$code" = 200 ] && [ "$got" = "$4" ]; then
        report ok "$1" "-> hits [$got]"
    elif [ "$code" = 200 ]; then
        report fail "$1" "-> hits [$got], expected [$4]"
    else
        report fail "$1" "HTTP $code: $(error_of)"
    fi
}

verify_node() {
    command -v jq >/dev/null 2>&1 || apt_install jq
    choose_home
    local stop_after=0
    if ! node_pid >/dev/null; then
        start_node >/dev/null
        stop_after=1
    fi
    local fr=clocher-verify-fr basic=clocher-verify-basic sayt=clocher-verify-sayt
    local synonyms=$node_dir/config/analysis/clocher-verify-synonyms.txt
    call DELETE "/$fr,$basic,$sayt?ignore_unavailable=true"
    printf 'velo, bicyclette\npiscine, centre aquatique\n' >"$synonyms"
    if is_root; then chown "$service_user:$service_user" "$synonyms"; fi

    call GET /_nodes/_local/plugins
    echo "Node $url: $engine $(jq -r '[.nodes[].version] | first' <<<"$body" 2>/dev/null || true)"
    echo "Modules: $(jq -r '[.nodes[].modules[].name] | join(" ")' <<<"$body" 2>/dev/null || true)"
    call GET /
    if [ "$code" = 200 ]; then
        report ok "GET / (client info/ping)" "-> $(jq -r '.version.number' <<<"$body" 2>/dev/null || true)"
    else
        report fail "GET / (client info/ping)" "HTTP $code: $(error_of)"
    fi
    echo "Analysis components one by one (_analyze):"
    local articles='["l","m","t","qu","n","s","j","d","c","jusqu","quoiqu","lorsqu","puisqu"]'
    check_analyze "lowercase" '{"tokenizer":"standard","filter":["lowercase"],"text":"Mairie"}' "mairie"
    check_analyze "stop _french_" \
        '{"tokenizer":"standard","filter":[{"type":"stop","stopwords":"_french_"}],"text":"le marché de la ville"}' \
        "marché ville"
    check_analyze "elision" \
        "{\"tokenizer\":\"standard\",\"filter\":[{\"type\":\"elision\",\"articles_case\":true,\"articles\":$articles}],\"text\":\"l'église d'Orléans\"}" \
        "église Orléans"
    check_analyze "asciifolding" '{"tokenizer":"standard","filter":["asciifolding"],"text":"Église Hôtel"}' "Eglise Hotel"
    check_analyze "stemmer light_french" \
        '{"tokenizer":"standard","filter":[{"type":"stemmer","language":"light_french"}],"text":"bibliothèques chevaux"}' \
        "bibliothequ cheval"
    check_analyze "synonym_graph (inline)" \
        '{"tokenizer":"standard","filter":[{"type":"synonym_graph","synonyms":["velo, bicyclette"]}],"text":"velo"}' \
        "bicyclette velo"
    check_analyze "hunspell fr_FR (config/hunspell/fr_FR)" \
        '{"tokenizer":"standard","filter":["lowercase",{"type":"hunspell","locale":"fr_FR","dedup":true}],"text":"L'\''Église des hôpitaux"}' \
        "église des hôpital"
    check_analyze "french analyzer (built-in)" '{"analyzer":"french","text":"Les hôpitaux"}' "hopital"

    echo "Index with the French chain (elision, lowercase, stop _french_, asciifolding, light_french;"
    echo "  search analyzer adds synonym_graph from config/analysis/, updateable):"
    local fr_settings
    fr_settings=$(cat <<JSON
{"settings":{"number_of_shards":1,"number_of_replicas":0,"analysis":{
  "filter":{
    "fr_elision":{"type":"elision","articles_case":true,"articles":$articles},
    "fr_stop":{"type":"stop","stopwords":"_french_"},
    "fr_stemmer":{"type":"stemmer","language":"light_french"},
    "fr_synonyms":{"type":"synonym_graph","synonyms_path":"analysis/clocher-verify-synonyms.txt","updateable":true}},
  "analyzer":{
    "fr_index":{"tokenizer":"standard","filter":["fr_elision","lowercase","fr_stop","asciifolding","fr_stemmer"]},
    "fr_search":{"tokenizer":"standard","filter":["fr_elision","lowercase","fr_stop","asciifolding","fr_synonyms","fr_stemmer"]}}}},
 "mappings":{"properties":{
  "title":{"type":"text","analyzer":"fr_index","search_analyzer":"fr_search"},
  "commune":{"type":"keyword"},
  "location":{"type":"geo_point"}}}}
JSON
)
    local docs_index=$basic have_fr=0
    call PUT "/$fr" "$fr_settings"
    if [ "$code" = 200 ]; then
        report ok "create index with French analyzers" ""
        docs_index=$fr
        have_fr=1
    else
        report fail "create index with French analyzers" "HTTP $code: $(error_of)"
    fi
    local have_hunspell=0
    if [ "$have_fr" = 0 ]; then
        # What a bare node can still do: Hunspell fr_FR (stems, strips l' d' qu'),
        # lowercase, French stop words; else the standard tokenizer + stop words only.
        local mappings='"mappings":{"properties":{"title":{"type":"text","analyzer":"fr_basic"},"commune":{"type":"keyword"},"location":{"type":"geo_point"}}}'
        call PUT "/$basic" '{"settings":{"number_of_shards":1,"number_of_replicas":0,"analysis":{"filter":{"fr_stop":{"type":"stop","stopwords":"_french_"},"fr_hunspell":{"type":"hunspell","locale":"fr_FR","dedup":true}},"analyzer":{"fr_basic":{"tokenizer":"standard","filter":["lowercase","fr_hunspell","fr_stop"]}}}},'"$mappings"'}'
        if [ "$code" = 200 ]; then
            report ok "create fallback index (lowercase, hunspell fr_FR, stop)" ""
            have_hunspell=1
        else
            report fail "create fallback index (lowercase, hunspell fr_FR, stop)" "HTTP $code: $(error_of)"
            call PUT "/$basic" '{"settings":{"number_of_shards":1,"number_of_replicas":0,"analysis":{"filter":{"fr_stop":{"type":"stop","stopwords":"_french_"}},"analyzer":{"fr_basic":{"tokenizer":"standard","filter":["lowercase","fr_stop"]}}}},'"$mappings"'}'
            if [ "$code" = 200 ]; then
                report ok "create fallback index (lowercase, stop _french_)" ""
            else
                report fail "create fallback index (lowercase, stop _french_)" "HTTP $code: $(error_of)"
            fi
        fi
    fi
    local bulk
    bulk=$(cat <<'NDJSON'
{"index":{"_id":"1"}}
{"title":"Bibliothèque municipale de l'Hôtel de Ville","commune":"lyon","location":{"lat":45.7676,"lon":4.8345}}
{"index":{"_id":"2"}}
{"title":"Location de bicyclettes à la gare","commune":"villeurbanne","location":{"lat":45.7660,"lon":4.8795}}
{"index":{"_id":"3"}}
{"title":"Piscine olympique","commune":"marseille","location":{"lat":43.2965,"lon":5.3698}}
NDJSON
)
    code=$(curl -s -m 60 -o /dev/null -w '%{http_code}' -X POST "$url/$docs_index/_bulk?refresh=true" \
        -H 'Content-Type: application/x-ndjson' --data-binary "$bulk"$'\n')
    if [ "$code" = 200 ]; then report ok "bulk index 3 documents" "into $docs_index"; else report fail "bulk index" "HTTP $code"; fi

    echo "Queries on $docs_index:"
    if [ "$have_fr" = 1 ]; then
        check_search "French: 'hotel' finds 'l'Hôtel'" "$docs_index" '{"query":{"match":{"title":"hotel"}}}' "1"
        check_search "French: 'bibliotheques' (plural, no accent)" "$docs_index" '{"query":{"match":{"title":"bibliotheques"}}}' "1"
        check_search "French: 'l'hôtel de ville'" "$docs_index" '{"query":{"match":{"title":{"query":"l'\''hôtel de ville","operator":"and"}}}}' "1"
        check_search "synonym_graph from file: 'vélo' -> bicyclettes" "$docs_index" '{"query":{"match":{"title":"vélo"}}}' "2"
    fi
    if [ "$have_hunspell" = 1 ]; then
        check_search "hunspell: 'bibliothèques' (plural) finds it" "$docs_index" '{"query":{"match":{"title":"bibliothèques"}}}' "1"
        check_search "hunspell: 'l'hôtel de ville'" "$docs_index" '{"query":{"match":{"title":{"query":"l'\''hôtel de ville","operator":"and"}}}}' "1"
        check_search "no folding: 'hotel' only with fuzziness" "$docs_index" '{"query":{"match":{"title":{"query":"hotel","fuzziness":"AUTO"}}}}' "1"
    fi
    check_search "fuzzy match: 'bibliotheqe' (typo)" "$docs_index" \
        '{"query":{"match":{"title":{"query":"bibliotheqe","fuzziness":"AUTO"}}}}' \
        "1"
    check_search "fuzzy match: 'municpale' (typo)" "$docs_index" \
        '{"query":{"match":{"title":{"query":"municpale","fuzziness":"AUTO"}}}}' "1"
    check_search "geo_distance 10km around Lyon" "$docs_index" \
        '{"query":{"bool":{"filter":{"geo_distance":{"distance":"10km","location":{"lat":45.75,"lon":4.85}}}}},"sort":[{"_geo_distance":{"location":{"lat":45.75,"lon":4.85},"order":"asc"}}]}' "1,2"
    check_search "match_bool_prefix: 'bibliothèque munic'" "$docs_index" \
        '{"query":{"match_bool_prefix":{"title":"bibliothèque munic"}}}' "1"
    call POST "/$docs_index/_search" '{"query":{"match":{"title":"municipale"}},"highlight":{"fields":{"title":{}}}}'
    local hl
    hl=$(jq -r '.hits.hits[0].highlight.title[0] // empty' <<<"$body" 2>/dev/null)
    if [ "$code" = 200 ] && [[ "$hl" == *"<em>"* ]]; then
        report ok "highlighting" "-> $hl"
    else
        report fail "highlighting" "HTTP $code: ${hl:-$(error_of)}"
    fi

    if [ "$have_fr" = 1 ]; then
        echo "Synonym reload (updateable synonym_graph, file changed while the index is open):"
        check_search "before: 'médiathèque' finds nothing" "$fr" '{"query":{"match":{"title":"médiathèque"}}}' ""
        printf 'velo, bicyclette\npiscine, centre aquatique\nmediatheque, bibliotheque\n' >"$synonyms"
        call POST "/$fr/_reload_search_analyzers"
        if [ "$code" = 200 ]; then
            report ok "POST /$fr/_reload_search_analyzers" "$(jq -c '.reload_details[0].reloaded_analyzers // ._shards' <<<"$body" 2>/dev/null)"
            check_search "after reload: 'médiathèque' finds it" "$fr" '{"query":{"match":{"title":"médiathèque"}}}' "1"
        else
            report fail "POST /$fr/_reload_search_analyzers" "HTTP $code: $(error_of)"
            # Without the reload API, closing and opening the index re-reads the file.
            call POST "/$fr/_close"
            local close_code=$code
            call POST "/$fr/_open?wait_for_active_shards=1"
            if [ "$close_code" = 200 ] && [ "$code" = 200 ]; then
                report ok "reload by POST _close + _open instead" ""
                check_search "after _close/_open: 'médiathèque' finds it" "$fr" '{"query":{"match":{"title":"médiathèque"}}}' "1"
            else
                report fail "reload by POST _close + _open instead" "HTTP $close_code/$code: $(error_of)"
            fi
        fi
    fi

    if [ "$have_fr" = 0 ]; then
        call POST "/$docs_index/_reload_search_analyzers"
        if [ "$code" = 200 ]; then
            report ok "POST /$docs_index/_reload_search_analyzers" "(endpoint only: no synonym filter here)"
        else
            report fail "POST /$docs_index/_reload_search_analyzers" "HTTP $code: $(error_of)"
        fi
    fi

    echo "search_as_you_type:"
    call PUT "/$sayt" '{"settings":{"number_of_shards":1,"number_of_replicas":0},"mappings":{"properties":{"name":{"type":"search_as_you_type"}}}}'
    if [ "$code" = 200 ]; then
        report ok "create index with a search_as_you_type field" ""
        call PUT "/$sayt/_doc/1?refresh=true" '{"name":"Bibliothèque municipale"}'
        check_search "bool_prefix on name, name._2gram, name._3gram" "$sayt" \
            '{"query":{"multi_match":{"query":"bibliothèque mun","type":"bool_prefix","fields":["name","name._2gram","name._3gram"]}}}' "1"
    else
        report fail "create index with a search_as_you_type field" "HTTP $code: $(error_of)"
    fi

    call DELETE "/$fr,$basic,$sayt?ignore_unavailable=true"
    rm -f "$synonyms"
    local pid rss
    pid=$(node_pid) && rss=$(ps -o rss= -p "$pid" | tr -d ' ') && echo "Node RSS: $((rss / 1024)) MiB (heap $heap)"
    echo "verify summary ($engine $version): $works checks work, $fails fail"
    if [ "$stop_after" = 1 ]; then stop_node; fi
}

case "${1:-start}" in
    install) install_node; say "installed in $node_dir" ;;
    start) start_node ;;
    stop) stop_node ;;
    restart) stop_node; start_node ;;
    status) status_node ;;
    reset) reset_node ;;
    verify) verify_node ;;
    url) echo "$url_var=$url" ;;
    -h | --help | help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' ;;
    *) echo "usage: $0 [start|stop|restart|status|install|verify|reset|url]" >&2; exit 2 ;;
esac
