/* The floor for creating VM tap ports on a bridge: what the kernel costs with nothing in between.
 * Run it inside the network namespace to measure (ip netns exec NS raw_taps ...).
 *
 *   raw_taps create --count N --queues Q --bridge BR --prefix P [--group G] [--root-qdisc]
 *       per port: open(/dev/net/tun), TUNSETIFF (IFF_TAP|IFF_NO_PI|IFF_VNET_HDR, and
 *       IFF_MULTI_QUEUE when Q > 1), TUNSETPERSIST 1, close; then with --root-qdisc one
 *       RTM_NEWQDISC (pfifo_fast at the root) and one RTM_NEWLINK setting IFLA_MASTER, IFF_UP and
 *       (with --group) IFLA_GROUP. Devices are named P0..P(N-1).
 *   raw_taps delete --count N --prefix P
 *       one RTM_DELLINK per device.
 *   raw_taps delete-group --group G
 *       one RTM_DELLINK with IFLA_GROUP G and ifindex 0: every device of the group at once.
 *
 * Prints the elapsed seconds (the loop only: not process start) on stdout. Every netlink request
 * waits for its ack, as a daemon would to report errors per port.
 *
 * Why --root-qdisc: a multi-queue tap has 256 tx queues (MAX_TAP_QUEUES); bringing it up with no
 * qdisc attaches the default mq with 256 pfifo_fast children, which dominates the cost. A root
 * qdisc set while the device is down is kept when it goes up. */
#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_SIZE 256

struct request {
  struct nlmsghdr hdr;
  char body[MSG_SIZE];
};

static int nl_fd = -1;
static uint32_t nl_seq;

static void die(const char* what, int err) {
  fprintf(stderr, "raw_taps: %s: %s\n", what, strerror(err));
  exit(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: raw_taps create --count N --queues Q --bridge BR --prefix P [--group G] [--root-qdisc]\n"
          "       raw_taps delete --count N --prefix P\n"
          "       raw_taps delete-group --group G\n");
  exit(2);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void nl_open(void) {
  nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (nl_fd < 0) die("netlink socket", errno);
  struct sockaddr_nl local = {.nl_family = AF_NETLINK};
  if (bind(nl_fd, (struct sockaddr*)&local, sizeof local) < 0) die("netlink bind", errno);
}

static void* msg_init(struct request* req, uint16_t type, uint16_t flags, size_t header_len) {
  memset(req, 0, sizeof *req);
  req->hdr.nlmsg_len = NLMSG_LENGTH(header_len);
  req->hdr.nlmsg_type = type;
  req->hdr.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  req->hdr.nlmsg_seq = ++nl_seq;
  return NLMSG_DATA(&req->hdr);
}

static void add_attr(struct request* req, uint16_t type, const void* data, size_t len) {
  size_t offset = NLMSG_ALIGN(req->hdr.nlmsg_len);
  if (offset + RTA_SPACE(len) > sizeof *req) die("netlink message too long", EMSGSIZE);
  struct rtattr* rta = (struct rtattr*)((char*)req + offset);
  rta->rta_type = type;
  rta->rta_len = (unsigned short)RTA_LENGTH(len);
  memcpy(RTA_DATA(rta), data, len);
  req->hdr.nlmsg_len = (uint32_t)(offset + RTA_SPACE(len));
}

/* Sends one request and waits for its ack; returns 0 or a positive errno. */
static int nl_call(struct request* req) {
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  if (sendto(nl_fd, req, req->hdr.nlmsg_len, 0, (struct sockaddr*)&kernel, sizeof kernel) < 0) return errno;
  char buf[4096];
  for (;;) {
    ssize_t n = recv(nl_fd, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != req->hdr.nlmsg_seq || h->nlmsg_type != NLMSG_ERROR) continue;
      const struct nlmsgerr* e = NLMSG_DATA(h);
      return -e->error;
    }
  }
}

static void set_ifname(struct ifreq* ifr, const char* name) {
  size_t len = strlen(name);
  if (len >= IFNAMSIZ) die(name, ENAMETOOLONG);
  memcpy(ifr->ifr_name, name, len + 1);
}

static void make_tap(const char* name, int queues) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (fd < 0) die("/dev/net/tun", errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | (queues > 1 ? IFF_MULTI_QUEUE : 0);
  set_ifname(&ifr, name);
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) die(name, errno);
  if (ioctl(fd, TUNSETPERSIST, 1) < 0) die("TUNSETPERSIST", errno);
  close(fd);
}

/* P<i>, refused when longer than an interface name may be. */
static const char* port_name(char* buf, size_t size, const char* prefix, long i) {
  int n = snprintf(buf, size, "%s%ld", prefix, i);
  if (n < 0 || n >= IFNAMSIZ) die(prefix, ENAMETOOLONG);
  return buf;
}

static int ifindex_of(int sock, const char* name) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  set_ifname(&ifr, name);
  if (ioctl(sock, SIOCGIFINDEX, &ifr) < 0) die(name, errno);
  return ifr.ifr_ifindex;
}

static void set_root_qdisc(int ifindex, const char* name) {
  struct request req;
  struct tcmsg* tcm = msg_init(&req, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, sizeof *tcm);
  tcm->tcm_family = AF_UNSPEC;
  tcm->tcm_ifindex = ifindex;
  tcm->tcm_parent = TC_H_ROOT;
  add_attr(&req, TCA_KIND, "pfifo_fast", sizeof "pfifo_fast");
  int err = nl_call(&req);
  if (err) die(name, err);
}

static void enslave_up(int ifindex, int master, uint32_t group, const char* name) {
  struct request req;
  struct ifinfomsg* ifi = msg_init(&req, RTM_NEWLINK, 0, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = ifindex;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  uint32_t m = (uint32_t)master;
  add_attr(&req, IFLA_MASTER, &m, sizeof m);
  if (group) add_attr(&req, IFLA_GROUP, &group, sizeof group);
  int err = nl_call(&req);
  if (err) die(name, err);
}

static void del_link(const char* name, uint32_t group) {
  struct request req;
  struct ifinfomsg* ifi = msg_init(&req, RTM_DELLINK, 0, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  if (name)
    add_attr(&req, IFLA_IFNAME, name, strlen(name) + 1);
  else
    add_attr(&req, IFLA_GROUP, &group, sizeof group);
  int err = nl_call(&req);
  if (err) die(name ? name : "delete group", err);
}

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const char* cmd = argv[1];
  long count = -1, queues = 1, group = 0;
  const char* bridge = NULL;
  const char* prefix = NULL;
  int root_qdisc = 0;
  for (int i = 2; i < argc; ++i) {
    const char* opt = argv[i];
    if (!strcmp(opt, "--root-qdisc")) {
      root_qdisc = 1;
      continue;
    }
    if (i + 1 >= argc) usage();
    const char* val = argv[++i];
    if (!strcmp(opt, "--count"))
      count = strtol(val, NULL, 10);
    else if (!strcmp(opt, "--queues"))
      queues = strtol(val, NULL, 10);
    else if (!strcmp(opt, "--group"))
      group = strtol(val, NULL, 10);
    else if (!strcmp(opt, "--bridge"))
      bridge = val;
    else if (!strcmp(opt, "--prefix"))
      prefix = val;
    else
      usage();
  }

  nl_open();
  char name[64];
  double start, elapsed;
  if (!strcmp(cmd, "create")) {
    if (count < 0 || !bridge || !prefix || queues < 1 || group < 0) usage();
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0) die("socket", errno);
    int master = ifindex_of(sock, bridge);
    start = now();
    for (long i = 0; i < count; ++i) {
      port_name(name, sizeof name, prefix, i);
      make_tap(name, (int)queues);
      int ifindex = ifindex_of(sock, name);
      if (root_qdisc) set_root_qdisc(ifindex, name);
      enslave_up(ifindex, master, (uint32_t)group, name);
    }
    elapsed = now() - start;
    close(sock);
  } else if (!strcmp(cmd, "delete")) {
    if (count < 0 || !prefix) usage();
    start = now();
    for (long i = 0; i < count; ++i) {
      port_name(name, sizeof name, prefix, i);
      del_link(name, 0);
    }
    elapsed = now() - start;
  } else if (!strcmp(cmd, "delete-group")) {
    if (group <= 0) usage();
    start = now();
    del_link(NULL, (uint32_t)group);
    elapsed = now() - start;
  } else {
    usage();
  }
  printf("%.6f\n", elapsed);
  return 0;
}
