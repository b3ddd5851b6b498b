package org.edu2lms.generator;

import java.util.SplittableRandom;

/** Chooses which rows of a table carry which anomaly, deterministically for a random source. */
final class Picker {

  private Picker() {}

  /**
   * Labels {@code n} rows: {@code counts[k]} distinct rows get label {@code k + 1}, the rest 0;
   * the labelled sets are disjoint.
   *
   * @throws IllegalArgumentException when the counts add up to more than n
   */
  static byte[] label(SplittableRandom rng, int n, int... counts) {
    int need = 0;
    for (int c : counts) {
      need += c;
    }
    if (need > n) {
      throw new IllegalArgumentException("cannot place " + need + " anomalies in " + n + " rows");
    }
    byte[] labels = new byte[n];
    for (int k = 0; k < counts.length; k++) {
      int placed = 0;
      while (placed < counts[k]) {
        int i = rng.nextInt(n);
        if (labels[i] == 0) {
          labels[i] = (byte) (k + 1);
          placed++;
        }
      }
    }
    return labels;
  }
}
