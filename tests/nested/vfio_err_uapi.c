// SPDX-License-Identifier: GPL-2.0
/*
 * Test of VFIO_DEVICE_FEATURE_PCI_ERR_RECOVERY (patches/host) from user
 * space, run in the nested test's L1 host on a device bound to vfio-pci.
 * Built statically against the host series' own uAPI header.
 *
 *   vfio-err-uapi BDF selftest
 *	the feature's contract without an error: probe, arming, bad
 *	arguments, the phases of a reset the user asks for, overflow and
 *	lost, a failed copy keeping the phase, disarming.  Prints "ok NAME"
 *	or "not ok NAME: why" per check and ends with "N passed, N failed".
 *   vfio-err-uapi BDF watch SECONDS
 *	arm, print "armed", then print each phase the host records
 *	("phase SEQ NAME CHANNEL LOST") until SECONDS pass.
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

static const char *phase_name(unsigned int phase)
{
	switch (phase) {
	case VFIO_PCI_ERR_PHASE_ERROR:
		return "error";
	case VFIO_PCI_ERR_PHASE_RESET_PREPARE:
		return "reset_prepare";
	case VFIO_PCI_ERR_PHASE_RESET_DONE:
		return "reset_done";
	case VFIO_PCI_ERR_PHASE_RESUME:
		return "resume";
	case VFIO_PCI_ERR_PHASE_PERM_FAILURE:
		return "perm_failure";
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
	struct vfio_device_feature_pci_err_recovery r;
	struct feature probe = { 0 };
	struct feature *edge;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t count = 0;
	unsigned char *map;
	unsigned int last;
	int efd, i, ret;

	check(!feature(fd, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
		       VFIO_DEVICE_FEATURE_SET, &probe),
	      "probe", "the device does not offer the feature");
	check(get(fd, &r) < 0 && errno == ENOMSG, "get-before-arming",
	      "want ENOMSG");

	efd = eventfd(0, EFD_NONBLOCK);
	check(arm(fd, efd, 1) < 0 && errno == EINVAL, "set-flags-rejected",
	      "flags must be zero");
	check(arm(fd, -2, 0) < 0 && errno == EINVAL, "set-bad-eventfd-rejected",
	      "want EINVAL");
	check(arm(fd, 0, 0) < 0, "set-non-eventfd-rejected",
	      "stdin is no eventfd");
	check(!arm(fd, efd, 0), "arm", "SET failed");
	check(get(fd, &r) < 0 && errno == ENOMSG, "get-after-arming",
	      "want ENOMSG");

	/* A reset the user asks for is recorded as one outside recovery */
	ret = ioctl(fd, VFIO_DEVICE_RESET);
	check(!ret, "device-reset", "VFIO_DEVICE_RESET failed");
	check(read(efd, &count, sizeof(count)) == sizeof(count) && count >= 1,
	      "eventfd-signalled", "no signal");
	check(!get(fd, &r) && r.seq == 1 &&
	      r.phase == VFIO_PCI_ERR_PHASE_RESET_PREPARE && !r.lost,
	      "reset-prepare", "want seq 1 reset_prepare");
	check(!get(fd, &r) && r.seq == 2 &&
	      r.phase == VFIO_PCI_ERR_PHASE_RESET_DONE,
	      "reset-done", "want seq 2 reset_done");
	check(get(fd, &r) < 0 && errno == ENOMSG, "drained", "want ENOMSG");

	/* A phase the copy to the user failed for stays queued */
	ret = ioctl(fd, VFIO_DEVICE_RESET);
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(map + page, page, PROT_NONE);
	edge = (struct feature *)(map + page - sizeof(edge->hdr) - 4);
	edge->hdr.argsz = sizeof(*edge);
	edge->hdr.flags = VFIO_DEVICE_FEATURE_GET |
			  VFIO_DEVICE_FEATURE_PCI_ERR_RECOVERY;
	check(!ret && ioctl(fd, VFIO_DEVICE_FEATURE, &edge->hdr) < 0 &&
	      errno == EFAULT, "get-efault", "want EFAULT");
	check(!get(fd, &r) && r.seq == 3 &&
	      r.phase == VFIO_PCI_ERR_PHASE_RESET_PREPARE,
	      "efault-keeps-phase", "want seq 3 still queued");
	check(!get(fd, &r) && r.seq == 4, "after-efault", "want seq 4");

	/* Nine resets record 18 phases: the oldest two are lost */
	for (i = 0; i < 9; i++)
		ret |= ioctl(fd, VFIO_DEVICE_RESET);
	check(!ret && !get(fd, &r) && r.seq == 7 &&
	      r.lost == 18 - VFIO_PCI_ERR_RECOVERY_DEPTH,
	      "overflow-lost", "want seq 7, lost 2");
	for (i = 1, last = r.seq; !get(fd, &r); i++)
		last = r.seq;
	check(i == VFIO_PCI_ERR_RECOVERY_DEPTH && last == 22,
	      "overflow-depth", "want 16 phases up to seq 22");

	/* Re-arming starts over; disarming stops the recording */
	check(!arm(fd, efd, 0) && !ioctl(fd, VFIO_DEVICE_RESET) &&
	      !get(fd, &r) && r.seq == 1 && !r.lost, "rearm-restarts",
	      "want seq 1, lost 0");
	check(!arm(fd, -1, 0) && !ioctl(fd, VFIO_DEVICE_RESET) &&
	      get(fd, &r) < 0 && errno == ENOMSG, "disarm",
	      "recorded while disarmed");
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
	fflush(stdout);
	while (time(NULL) < end) {
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (read(p.fd, &count, sizeof(count)) != sizeof(count))
			continue;
		while (!get(fd, &r))
			printf("phase %u %s %u %u\n", r.seq,
			       phase_name(r.phase), r.channel_state, r.lost);
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
