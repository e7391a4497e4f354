// stylesweep-journal-writer: one of rank 0's journal-writer processes (store/journal_writers.h).
// Started by `stylesweep run --journal-writers N`, never by hand.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "store/journal_writers.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "%s: started by `stylesweep run --journal-writers N`; not meant to be run by hand\n", argv[0]);
    return 2;
  }
  return stylesweep::serve_journal_writer(std::atoi(argv[1]));
}
