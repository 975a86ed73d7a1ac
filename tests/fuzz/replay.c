/* replay.c — run the committed fuzz corpus through the fuzz targets'
 * entry points, in the normal test run (gcc, plain and ASan builds), as
 * SQLite's fuzzcheck does.
 *
 * usage: fuzz_replay [-t TARGET]... [-q] PATH...
 *   PATH is a corpus file or a directory (every file below it, sorted).
 *   Without -t every file goes through every target (parse, eval, ad):
 *   each seed also exercises the other entry points.
 * A finding aborts (the file being run is printed first).  Ends with the
 * line `N passed, N failed` (a run that returns is a pass). */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "fuzz_common.h"

typedef int (*Entry)(const uint8_t *, size_t);
static const struct {
  const char *name;
  Entry fn;
} targets[] = {
    {"fuzz_parse", fuzz_parse_one}, {"fuzz_eval", fuzz_eval_one}, {"fuzz_ad", fuzz_ad_one}};
#define NTARGETS 3

static int quiet;
static long passed, failed;
static long per_target[NTARGETS];

static int read_all(const char *path, uint8_t **out, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  size_t cap = 4096, n = 0;
  uint8_t *b = malloc(cap);
  if (!b) {
    fclose(f);
    return -1;
  }
  size_t k;
  while ((k = fread(b + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap) {
      uint8_t *nb = realloc(b, cap *= 2);
      if (!nb) {
        free(b);
        fclose(f);
        return -1;
      }
      b = nb;
    }
  }
  fclose(f);
  *out = b;
  *len = n;
  return 0;
}

static void run_file(const char *path, unsigned mask) {
  uint8_t *data;
  size_t len;
  if (read_all(path, &data, &len) < 0) {
    fprintf(stderr, "fuzz_replay: cannot read %s\n", path);
    failed++;
    return;
  }
  for (int t = 0; t < NTARGETS; t++) {
    if (!(mask & (1u << t))) continue;
    if (!quiet) fprintf(stderr, "%s %s\n", targets[t].name, path);
    /* an exact-size copy, so that ASan sees reads past the end */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) abort();
    memcpy(copy, data, len);
    targets[t].fn(copy, len);
    free(copy);
    per_target[t]++;
    passed++;
  }
  free(data);
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_path(const char *path, unsigned mask) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "fuzz_replay: no such file or directory: %s\n", path);
    failed++;
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    run_file(path, mask);
    return;
  }
  DIR *d = opendir(path);
  if (!d) {
    failed++;
    return;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 256;
      names = realloc(names, cap * sizeof *names);
      if (!names) abort();
    }
    size_t l = strlen(path) + strlen(e->d_name) + 2;
    names[n] = malloc(l);
    if (!names[n]) abort();
    snprintf(names[n], l, "%s/%s", path, e->d_name);
    n++;
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  for (size_t i = 0; i < n; i++) {
    run_path(names[i], mask);
    free(names[i]);
  }
  free(names);
}

int main(int argc, char **argv) {
  unsigned mask = 0;
  int npaths = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-q")) {
      quiet = 1;
    } else if (!strcmp(argv[i], "-t") && i + 1 < argc) {
      i++;
      int found = 0;
      for (int t = 0; t < NTARGETS; t++)
        if (!strcmp(argv[i], targets[t].name) || !strcmp(argv[i], targets[t].name + 5)) {
          mask |= 1u << t;
          found = 1;
        }
      if (!found) {
        fprintf(stderr, "fuzz_replay: unknown target %s\n", argv[i]);
        return 2;
      }
    } else if (argv[i][0] == '-') {
      fprintf(stderr, "usage: fuzz_replay [-t TARGET]... [-q] PATH...\n");
      return 2;
    } else {
      npaths++;
    }
  }
  if (!npaths) {
    fprintf(stderr, "usage: fuzz_replay [-t TARGET]... [-q] PATH...\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-q")) continue;
    if (!strcmp(argv[i], "-t")) {
      i++;
      continue;
    }
    run_path(argv[i], mask ? mask : (1u << NTARGETS) - 1);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  printf("fuzz_replay: %ld runs (parse %ld, eval %ld, ad %ld) in %.1fs\n", passed, per_target[0],
         per_target[1], per_target[2],
         (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
  printf("%ld passed, %ld failed\n", passed, failed);
  return failed ? 1 : 0;
}
