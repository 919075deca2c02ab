// SPDX-License-Identifier: GPL-2.0
/*
 * Test of VFIO_DEVICE_FEATURE_PCI_ERR_RECOVERY (patches/host) from user
 * space, run in the nested test's L1 host on a device bound to vfio-pci.
 * Built statically against the host series' own uAPI header.
 *
 *   vfio-err-uapi BDF selftest
 *	the feature's contract without an error: probe, bad arguments
 *	(flags, reserved and the read-only fields must be zero on SET), an
 *	idempotent GET, the counters of resets the user asks for, the
 *	eventfd, a failed copy, clearing.  Prints "ok NAME" or "not ok NAME:
 *	why" per check and ends with "N passed, N failed".
 *   vfio-err-uapi BDF watch SECONDS
 *	set the eventfd, print "armed", then print what GET reads then and
 *	at each signal ("recovery ERRORS RESETS RESUMES FAILURES STATE
 *	CHANNEL") until SECONDS pass.
 */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>

struct feature {
	struct vfio_device_feature hdr;
	struct vfio_device_feature_pci_err_recovery r;
};

static int passed, failed;

static void check(int cond, const char *name, const char *why)
{
	if (cond) {
		printf("ok %s\n", name);
		passed++;
	} else {
		printf("not ok %s: %s (errno %d)\n", name, why, errno);
		failed++;
	}
}

static int feature(int fd, unsigned int flags, struct feature *f)
{
	f->hdr.argsz = sizeof(*f);
	f->hdr.flags = flags | VFIO_DEVICE_FEATURE_PCI_ERR_RECOVERY;
	return ioctl(fd, VFIO_DEVICE_FEATURE, &f->hdr);
}

static int arm(int fd, int eventfd, unsigned int flags)
{
	struct feature f = { .r = { .eventfd = eventfd, .flags = flags } };

	return feature(fd, VFIO_DEVICE_FEATURE_SET, &f);
}

static int get(int fd, struct vfio_device_feature_pci_err_recovery *r)
{
	struct feature f = { 0 };
	int ret = feature(fd, VFIO_DEVICE_FEATURE_GET, &f);

	*r = f.r;
	return ret;
}

static const char *state_name(unsigned int state)
{
	switch (state) {
	case VFIO_PCI_ERR_STATE_IDLE:
		return "idle";
	case VFIO_PCI_ERR_STATE_DETECTED:
		return "detected";
	case VFIO_PCI_ERR_STATE_RESETTING:
		return "resetting";
	case VFIO_PCI_ERR_STATE_RESET_DONE:
		return "reset_done";
	case VFIO_PCI_ERR_STATE_RESUMED:
		return "resumed";
	case VFIO_PCI_ERR_STATE_FAILED:
		return "failed";
	}
	return "unknown";
}

/* The device's fd through the type1 IOMMU, as a VMM gets it */
static int open_device(const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], link[PATH_MAX];
	int container, group, device;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group",
		 bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		perror(path);
		exit(2);
	}
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(path, O_RDWR);
	if (container < 0 || group < 0 ||
	    ioctl(group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE) ||
	    ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		perror("vfio group set-up");
		exit(2);
	}
	device = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (device < 0) {
		perror("VFIO_GROUP_GET_DEVICE_FD");
		exit(2);
	}
	return device;
}

static void selftest(int fd)
{
	struct vfio_device_feature_pci_err_recovery r, again, base;
	struct feature probe = { 0 }, bad;
	struct feature *edge;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t count = 0;
	unsigned char *map;
	int efd, i, ret;

	check(!feature(fd, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
		       VFIO_DEVICE_FEATURE_SET, &probe),
	      "probe", "the device does not offer the feature");
	/* vfio-pci resets a device it opens: that reset may be counted */
	check(!get(fd, &base) && !base.errors && !base.resumes &&
	      !base.failures && base.resets <= 1 &&
	      base.state == VFIO_PCI_ERR_STATE_IDLE &&
	      base.channel_state == VFIO_PCI_ERR_CHANNEL_NONE && !base.reserved,
	      "get-fresh", "want nothing but the opening reset");

	efd = eventfd(0, EFD_NONBLOCK);
	check(arm(fd, efd, 1) < 0 && errno == EINVAL, "set-flags-rejected",
	      "flags must be zero");
	check(arm(fd, -2, 0) < 0 && errno == EINVAL, "set-bad-eventfd-rejected",
	      "want EINVAL");
	check(arm(fd, 0, 0) < 0, "set-non-eventfd-rejected",
	      "stdin is no eventfd");
	/* Every field but the eventfd must be zero, so that it can grow */
	for (i = 0; i < 6; i++) {
		bad = (struct feature) { .r = { .eventfd = efd } };
		switch (i) {
		case 0: bad.r.reserved = 1; break;
		case 1: bad.r.errors = 1; break;
		case 2: bad.r.resets = 1; break;
		case 3: bad.r.failures = 1; break;
		case 4: bad.r.state = 1; break;
		case 5: bad.r.channel_state = 1; break;
		}
		check(feature(fd, VFIO_DEVICE_FEATURE_SET, &bad) < 0 &&
		      errno == EINVAL, "set-nonzero-field-rejected",
		      "want EINVAL");
	}
	check(!arm(fd, efd, 0), "arm", "SET failed");

	/* A reset the user asks for counts as a reset, nothing else */
	ret = ioctl(fd, VFIO_DEVICE_RESET);
	check(!ret, "device-reset", "VFIO_DEVICE_RESET failed");
	check(read(efd, &count, sizeof(count)) == sizeof(count) && count >= 1,
	      "eventfd-signalled", "no signal");
	check(!get(fd, &r) && r.resets == base.resets + 1 && !r.errors &&
	      !r.failures && r.state == VFIO_PCI_ERR_STATE_IDLE,
	      "reset-counted", "want one more reset, state idle");
	/* GET reads; it takes nothing away */
	for (i = 0; i < 100; i++)
		ret |= get(fd, &again);
	check(!ret && !memcmp(&r, &again, sizeof(r)), "get-idempotent",
	      "a hundred GETs changed what GET reads");
	for (i = 0; i < 20; i++)
		ret |= ioctl(fd, VFIO_DEVICE_RESET);
	check(!ret && !get(fd, &r) && r.resets == base.resets + 21,
	      "resets-all-counted",
	      "want 21 more resets: nothing is lost, whatever the user reads");

	/* A GET whose copy faults fails, and changes nothing */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(map + page, page, PROT_NONE);
	edge = (struct feature *)(map + page - sizeof(edge->hdr) - 4);
	edge->hdr.argsz = sizeof(*edge);
	edge->hdr.flags = VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_PCI_ERR_RECOVERY;
	check(ioctl(fd, VFIO_DEVICE_FEATURE, &edge->hdr) < 0 &&
	      errno == EFAULT, "get-efault", "want EFAULT");
	check(!get(fd, &again) && !memcmp(&r, &again, sizeof(r)),
	      "efault-changes-nothing", "the state moved");

	/* Cleared: no more signals; the counters go on */
	while (read(efd, &count, sizeof(count)) == sizeof(count))
		continue;
	check(!arm(fd, -1, 0) && !ioctl(fd, VFIO_DEVICE_RESET) &&
	      read(efd, &count, sizeof(count)) < 0 && errno == EAGAIN &&
	      !get(fd, &r) && r.resets == base.resets + 22, "disarm",
	      "signalled after clearing, or the reset not counted");
	printf("%d passed, %d failed\n", passed, failed);
}

static void watch(int fd, int seconds)
{
	struct vfio_device_feature_pci_err_recovery r;
	struct pollfd p = { .events = POLLIN };
	time_t end = time(NULL) + seconds;
	uint64_t count;

	p.fd = eventfd(0, EFD_NONBLOCK);
	if (p.fd < 0 || arm(fd, p.fd, 0)) {
		perror("arming");
		exit(2);
	}
	printf("armed\n");
	/* What was there before: the opening reset may be counted */
	if (!get(fd, &r))
		printf("recovery %u %u %u %u %s %u\n", r.errors, r.resets,
		       r.resumes, r.failures, state_name(r.state),
		       r.channel_state);
	fflush(stdout);
	while (time(NULL) < end) {
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (read(p.fd, &count, sizeof(count)) != sizeof(count) ||
		    get(fd, &r))
			continue;
		printf("recovery %u %u %u %u %s %u\n", r.errors, r.resets,
		       r.resumes, r.failures, state_name(r.state),
		       r.channel_state);
		fflush(stdout);
	}
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3 || (strcmp(argv[2], "selftest") &&
			 (strcmp(argv[2], "watch") || argc != 4))) {
		fprintf(stderr, "usage: %s BDF selftest | BDF watch SECONDS\n",
			argv[0]);
		return 2;
	}
	fd = open_device(argv[1]);
	if (!strcmp(argv[2], "selftest"))
		selftest(fd);
	else
		watch(fd, atoi(argv[3]));
	return failed ? 1 : 0;
}
