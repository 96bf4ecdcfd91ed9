/* xpu topo: how the GPUs connect, as `nvidia-smi topo -m` draws it (the same
 * letters, plus XGMI and XL), for every vendor; the peer-to-peer matrix as
 * `nvidia-smi topo -p2p r`; and, under the matrices, why each unknown cell
 * is unknown.  --json for scripts; -v adds each link's source, bandwidth
 * and PCIe path. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "xpu/topology.h"

static int topo_options(xpu_cli *cli, int argc, char **argv)
{
	return cli_report_options(cli, argc, argv, "topo",
			       "How the GPUs connect: for each pair the fastest path (X self, NV# a\n"
			       "bonded set of # NVLinks, XGMI AMD Infinity Fabric, XL# # Xe Links,\n"
			       "PIX one PCIe switch, PXB several switches, PHB a host bridge, NODE\n"
			       "host bridges of one NUMA node, SYS across NUMA nodes; '?' unknown),\n"
			       "each GPU's CPU and NUMA affinity, and peer-to-peer reads (OK, CNS\n"
			       "chipset, GNS GPU, TNS topology not supported, NS not supported, U\n"
			       "unknown). A '*' marks a cell whose faster path is unknown; the notes\n"
			       "below say why. -v adds each link's source, bandwidth and PCIe path;\n"
			       "--json prints all of it with a schema_version.\n");
}

/* "NV18", with '*' when a faster path is unknown. */
static const char *cell(const xpu_link *l, char *buf, size_t len)
{
	char label[16];
	snprintf(buf, len, "%s%s", xpu_link_label(l, label, sizeof(label)),
		 l->status.state == XPU_OK ? "" : "*");
	return buf;
}

static const char *short_text(const xpu_text *v)
{
	return v->status.state == XPU_OK ? v->value : "N/A";
}

static void print_links(const xpu_topology *t)
{
	printf("%-6s", "");
	for (size_t j = 0; j < t->n; j++)
		printf(" GPU%-4u", t->devices[j].index);
	printf(" %-15s %-13s %s\n", "CPU Affinity", "NUMA Affinity", "GPU NUMA ID");
	for (size_t i = 0; i < t->n; i++) {
		const xpu_topo_device *d = &t->devices[i];
		char c[24], id[24] = "N/A";
		printf("GPU%-3u", d->index);
		for (size_t j = 0; j < t->n; j++)
			printf(" %-7s", cell(&t->links[i][j], c, sizeof(c)));
		if (d->gpu_numa_id.status.state == XPU_OK)
			snprintf(id, sizeof(id), "%llu", (unsigned long long)d->gpu_numa_id.value);
		printf(" %-15s %-13s %s\n", short_text(&d->cpu_affinity), short_text(&d->numa_affinity),
		       id);
	}
}

static void print_p2p(const xpu_topology *t)
{
	printf("\nP2P reads (nvidia-smi topo -p2p r)\n%-6s", "");
	for (size_t j = 0; j < t->n; j++)
		printf(" GPU%-4u", t->devices[j].index);
	printf("\n");
	for (size_t i = 0; i < t->n; i++) {
		printf("GPU%-3u", t->devices[i].index);
		for (size_t j = 0; j < t->n; j++) {
			const xpu_text *p = &t->links[i][j].p2p;
			printf(" %-7s", i == j ? "X" : p->status.state == XPU_OK ? p->value : "U*");
		}
		printf("\n");
	}
}

static void note(size_t *n, const char *who, const char *what, const xpu_status *st)
{
	char why[256];
	if (!(*n)++)
		printf("\nnotes:\n");
	printf("  %s %s %s\n", who, what, xpu_status_describe(st, why, sizeof(why)));
}

/* Why each unknown is unknown: once per unordered pair and kind of value. */
static void print_notes(const xpu_topology *t)
{
	size_t n = 0;
	char who[32];
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = i + 1; j < t->n; j++) {
			const xpu_link *l = &t->links[i][j];
			snprintf(who, sizeof(who), "GPU%u-GPU%u", t->devices[i].index, t->devices[j].index);
			if (l->status.state != XPU_OK)
				note(&n, who, "link:", &l->status);
			else if (l->pcie_status.state != XPU_OK && l->kind == XPU_LINK_UNKNOWN)
				note(&n, who, "PCIe path:", &l->pcie_status);
			if (l->p2p.status.state == XPU_UNAVAILABLE &&
			    strcmp(l->p2p.status.detail, l->status.detail) != 0)
				note(&n, who, "P2P:", &l->p2p.status);
		}
	for (size_t i = 0; i < t->n; i++) {
		const xpu_topo_device *d = &t->devices[i];
		snprintf(who, sizeof(who), "GPU%u", d->index);
		if (d->cpu_affinity.status.state == XPU_UNAVAILABLE)
			note(&n, who, "CPU affinity:", &d->cpu_affinity.status);
		if (d->numa_affinity.status.state == XPU_UNAVAILABLE)
			note(&n, who, "NUMA affinity:", &d->numa_affinity.status);
	}
}

static void print_verbose(const xpu_topology *t)
{
	printf("\ndevices:\n");
	for (size_t i = 0; i < t->n; i++) {
		const xpu_topo_device *d = &t->devices[i];
		printf("  GPU%-3u %-28.28s %-18s %s (affinity: %s)\n", d->index, d->name, d->id,
		       d->pci_path[0] ? d->pci_path : "PCI path unknown", d->affinity_source);
	}
	printf("\nlinks:\n");
	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < t->n; j++) {
			const xpu_link *l = &t->links[i][j];
			char label[16], bw[160], pcie[160];
			if (i == j)
				continue;
			if (l->bandwidth_gbs.status.state == XPU_OK)
				snprintf(bw, sizeof(bw), "%.1f GB/s per direction", l->bandwidth_gbs.value);
			else
				xpu_status_describe(&l->bandwidth_gbs.status, bw, sizeof(bw));
			if (l->pcie_status.state == XPU_OK)
				snprintf(pcie, sizeof(pcie), "%s", xpu_link_kind_name(l->pcie));
			else
				xpu_status_describe(&l->pcie_status, pcie, sizeof(pcie));
			printf("  GPU%u -> GPU%u  %-6s from %-14s %s; PCIe %s\n", t->devices[i].index,
			       t->devices[j].index, xpu_link_label(l, label, sizeof(label)), l->source, bw,
			       pcie);
		}
}

static void print_legend(void)
{
	printf("\nLegend: X self; NV# # NVLinks; XGMI AMD xGMI; XL# # Xe Links; PIX at most one\n"
	       "PCIe switch; PXB several switches; PHB a PCIe host bridge; NODE host bridges of\n"
	       "one NUMA node; SYS across NUMA nodes; ? unknown; * a faster path is unknown.\n");
}

int cmd_topo(xpu_cli *cli, int argc, char **argv)
{
	int rc = topo_options(cli, argc, argv);
	if (rc != 0)
		return rc < 0 ? XPU_EXIT_OK : rc;
	cli->opt.cache = cli_cache_choice(cli, XPU_CACHE_USE);
	xpu_system *sys = cli_discover(cli);
	if (!sys)
		return XPU_EXIT_FAILURE;
	xpu_topology *t = xpu_topology_of(sys);
	xpu_system_free(sys);
	if (!t) {
		cli_error(cli, "out of memory");
		return XPU_EXIT_FAILURE;
	}
	if (cli->json) {
		char *s = xpu_topology_json(t, true);
		if (s)
			puts(s);
		free(s);
	} else if (t->n == 0) {
		printf("no GPU: nothing to connect (see 'xpu list')\n");
	} else {
		print_links(t);
		print_p2p(t);
		print_notes(t);
		if (t->from_cache)
			printf("\nlinks as the runtimes gave them at discovery (discovery cache; "
			       "'xpu --refresh topo' asks again)\n");
		if (cli->verbose)
			print_verbose(t);
		print_legend();
	}
	xpu_topology_free(t);
	return fflush(stdout) == 0 ? XPU_EXIT_OK : XPU_EXIT_FAILURE;
}
