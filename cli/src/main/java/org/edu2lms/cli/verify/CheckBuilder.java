package org.edu2lms.cli.verify;

import java.util.ArrayList;
import java.util.List;

/** Adds up one {@link VerifyReport.Check} over the chunks it is compared in. */
final class CheckBuilder {

  final String kind;
  final String name;
  long expected;
  long missing;
  long extra;
  long differing;
  private final List<VerifyReport.Difference> samples = new ArrayList<>();
  private final int[] sampled = new int[3];

  CheckBuilder(String kind, String name) {
    this.kind = kind;
    this.name = name;
  }

  /**
   * Counts one difference and keeps it as a sample while fewer than {@link Verifier#SAMPLES} of
   * its kind are kept.
   *
   * @param kind {@code missing}, {@code extra} or {@code differs}
   * @return whether it was kept as a sample (a {@code differs} sample then gets its columns)
   */
  boolean count(String kind, String key, Long legacyId) {
    int k =
        switch (kind) {
          case "missing" -> 0;
          case "extra" -> 1;
          case "differs" -> 2;
          default -> throw new IllegalArgumentException(kind);
        };
    switch (k) {
      case 0 -> missing++;
      case 1 -> extra++;
      default -> differing++;
    }
    if (sampled[k] >= Verifier.SAMPLES) {
      return false;
    }
    sampled[k]++;
    samples.add(new VerifyReport.Difference(kind, key, legacyId, List.of()));
    return true;
  }

  /** Sets the differing columns of the sample with this key. */
  void columns(String key, List<VerifyReport.ColumnDifference> columns) {
    for (int i = 0; i < samples.size(); i++) {
      VerifyReport.Difference d = samples.get(i);
      if (d.key().equals(key) && d.kind().equals("differs")) {
        samples.set(i, new VerifyReport.Difference(d.kind(), d.key(), d.legacyId(), columns));
      }
    }
  }

  VerifyReport.Check build() {
    return new VerifyReport.Check(kind, name, expected, missing, extra, differing, samples);
  }
}
