/*
 * pcscd-launch - run a private pcscd with one vpcd reader, for tests,
 * without touching any pcscd already running on the machine.
 *
 * Usage: pcscd-launch DIR [PCSCD OPTIONS...]
 *
 * pcscd 1.9.9 hard-codes its socket /run/pcscd/pcscd.comm and pid file
 * /run/pcscd/pcscd.pid.  It accepts a listening socket from systemd
 * (LISTEN_FDS/LISTEN_PID), so the socket can live anywhere; but it still
 * writes the pid file (open O_CREAT without O_EXCL: it overwrites another
 * instance's) and removes it on exit, and it mkdir()s /run/pcscd.  To keep
 * those writes away from the real /run, pcscd runs in a private mount
 * namespace (a user namespace too when we are not root) with a fresh tmpfs
 * on /run.  If no namespace can be made, we refuse with exit status 77
 * (meson's "skipped") rather than risk another pcscd's files.
 *
 * In DIR we create:
 *   reader.conf.d/vpcd  a vpcd reader on a free TCP port of 127.0.0.1
 *   vpcd.port           that port, in decimal
 *   pcscd.comm          the socket; clients use PCSCLITE_CSOCK_NAME=it
 * then exec pcscd --foreground --config DIR/reader.conf.d OPTIONS.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define EXIT_SKIP 77
#define SD_LISTEN_FDS_START 3
#define VPCD_DRIVER "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"

static int
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	if (fputs(text, f) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

/* A TCP port nobody listens on right now. */
static int
free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd, port = -1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static int
map_ids(uid_t uid, gid_t gid)
{
	char buf[64];

	if (write_file("/proc/self/setgroups", "deny") != 0 && errno != ENOENT)
		return -1;
	snprintf(buf, sizeof(buf), "0 %u 1\n", (unsigned)uid);
	if (write_file("/proc/self/uid_map", buf) != 0)
		return -1;
	snprintf(buf, sizeof(buf), "0 %u 1\n", (unsigned)gid);
	return write_file("/proc/self/gid_map", buf);
}

/* A private mount namespace whose /run is ours alone. */
static int
isolate(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (unshare(CLONE_NEWNS) != 0) {
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
			fprintf(stderr, "pcscd-launch: cannot create a mount "
			    "namespace: %s\n", strerror(errno));
			return -1;
		}
		if (map_ids(uid, gid) != 0) {
			fprintf(stderr, "pcscd-launch: cannot map ids: %s\n",
			    strerror(errno));
			return -1;
		}
	}
	/* Without this, mounts below could propagate to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		fprintf(stderr, "pcscd-launch: cannot make / private: %s\n",
		    strerror(errno));
		return -1;
	}
	if (mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV,
	    "mode=0755") != 0) {
		fprintf(stderr, "pcscd-launch: cannot mount /run: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	char path[PATH_MAX], text[512], confdir[PATH_MAX];
	struct sockaddr_un sun;
	const char *dir, *pcscd;
	char **args;
	int fd, port, i;

	if (argc < 2) {
		fprintf(stderr, "usage: pcscd-launch DIR [PCSCD OPTIONS...]\n");
		return 2;
	}
	dir = argv[1];
	if ((port = free_port()) < 0) {
		perror("pcscd-launch: free port");
		return 1;
	}
	if (strlen(dir) > PATH_MAX / 2) {
		fprintf(stderr, "pcscd-launch: %s: path too long\n", dir);
		return 2;
	}
	if ((size_t)snprintf(confdir, sizeof(confdir), "%s/reader.conf.d",
	    dir) >= sizeof(confdir))
		return 2;
	if (mkdir(confdir, 0755) != 0 && errno != EEXIST) {
		perror(confdir);
		return 1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/vpcd", confdir) >=
	    sizeof(path))
		return 2;
	snprintf(text, sizeof(text),
	    "FRIENDLYNAME \"Virtual PCD\"\n"
	    "DEVICENAME   /dev/null:0x%04X\n"
	    "LIBPATH      %s\n"
	    "CHANNELID    0x%04X\n", port, VPCD_DRIVER, port);
	if (write_file(path, text) != 0) {
		perror(path);
		return 1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/vpcd.port", dir) >=
	    sizeof(path))
		return 2;
	snprintf(text, sizeof(text), "%d\n", port);
	if (write_file(path, text) != 0) {
		perror(path);
		return 1;
	}

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path),
	    "%s/pcscd.comm", dir) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "pcscd-launch: %s: path too long for a "
		    "socket\n", dir);
		return 1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    chmod(sun.sun_path, 0666) != 0 || listen(fd, SOMAXCONN) != 0) {
		perror(sun.sun_path);
		return 1;
	}

	if (isolate() != 0) {
		fprintf(stderr, "pcscd-launch: refusing to run pcscd where it "
		    "would write /run/pcscd of the host\n");
		unlink(sun.sun_path);
		return EXIT_SKIP;
	}

	if (fd != SD_LISTEN_FDS_START) {
		if (dup2(fd, SD_LISTEN_FDS_START) < 0) {
			perror("dup2");
			return 1;
		}
		close(fd);
	}
	fcntl(SD_LISTEN_FDS_START, F_SETFD, 0);
	snprintf(text, sizeof(text), "%ld", (long)getpid());
	setenv("LISTEN_PID", text, 1);
	setenv("LISTEN_FDS", "1", 1);
	unsetenv("LISTEN_FDNAMES");

	if ((pcscd = getenv("PCSCD")) == NULL)
		pcscd = "pcscd";
	if ((args = calloc((size_t)argc + 4, sizeof(*args))) == NULL)
		return 1;
	args[0] = (char *)pcscd;
	args[1] = "--foreground";
	args[2] = "--config";
	args[3] = confdir;
	for (i = 2; i < argc; i++)
		args[i + 2] = argv[i];
	execvp(pcscd, args);
	fprintf(stderr, "pcscd-launch: cannot run %s: %s\n", pcscd,
	    strerror(errno));
	return 1;
}
