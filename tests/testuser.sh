# SPDX-License-Identifier: GPL-2.0-or-later
# testuser.sh - an unprivileged test user with two supplementary groups, for the permission tests
#
# Sourced after lib.sh. need_test_user creates the user and groups once (as root, under a lock,
# so that tests running in parallel do not race) and keeps them: a later run finds them. It
# skips the test when it cannot (not root, no useradd).

TS_TUSER=taskscope-test
TS_TGROUPS=(taskscope-ta taskscope-tb)

# need_test_user: TS_TUSER exists with TS_TGROUPS as supplementary groups; sets TS_TUID,
# TS_TGID, TS_TGIDS (the sorted list of all its group IDs, primary included)
need_test_user() {
	local g
	[ "$(id -u)" -eq 0 ] || skip "needs root: the test runs commands as another user"
	command -v useradd >/dev/null && command -v groupadd >/dev/null ||
		skip "useradd/groupadd not found (Debian: passwd package)"
	command -v flock >/dev/null || skip "flock not found (util-linux)"
	(
		flock -w 30 9 || exit 1
		for g in "${TS_TGROUPS[@]}"; do
			getent group "$g" >/dev/null || groupadd "$g" || exit 1
		done
		if ! id "$TS_TUSER" >/dev/null 2>&1; then
			useradd --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin \
				--groups "$(IFS=,; echo "${TS_TGROUPS[*]}")" "$TS_TUSER" || exit 1
		fi
	) 9>"${TMPDIR:-/tmp}/taskscope-testuser.lock" ||
		skip "cannot create the test user $TS_TUSER (useradd/groupadd failed: a read-only /etc?)"
	TS_TUID=$(id -u "$TS_TUSER") && TS_TGID=$(id -g "$TS_TUSER") ||
		die "id $TS_TUSER failed"
	TS_TGIDS=$(id -G "$TS_TUSER" | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//')
	for g in "${TS_TGROUPS[@]}"; do
		id -Gn "$TS_TUSER" | tr ' ' '\n' | grep -qx "$g" ||
			die "the test user $TS_TUSER is not in group $g (left over from an older run?)"
	done
	[ "$TS_TUID" -ne 0 ] || die "the test user $TS_TUSER has UID 0"
}

# as_user CMD [ARGS...]: run CMD as the test user, no supplementary groups kept from root
as_user() {
	setpriv --reuid="$TS_TUID" --regid="$TS_TGID" --init-groups -- "$@"
}
