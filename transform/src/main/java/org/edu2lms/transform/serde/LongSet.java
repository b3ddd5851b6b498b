package org.edu2lms.transform.serde;

import java.util.Arrays;

/**
 * An immutable ascending set of longs (the EDU ids of users sharing one e-mail, mapping.md §users).
 *
 * @param values ascending, distinct
 */
public record LongSet(long[] values) {

  /** The empty set. */
  public static LongSet empty() {
    return new LongSet(new long[0]);
  }

  /** A copy with {@code v} added. */
  public LongSet plus(long v) {
    int i = Arrays.binarySearch(values, v);
    if (i >= 0) {
      return this;
    }
    int at = -i - 1;
    long[] out = new long[values.length + 1];
    System.arraycopy(values, 0, out, 0, at);
    out[at] = v;
    System.arraycopy(values, at, out, at + 1, values.length - at);
    return new LongSet(out);
  }

  /** A copy with {@code v} removed. */
  public LongSet minus(long v) {
    int i = Arrays.binarySearch(values, v);
    if (i < 0) {
      return this;
    }
    long[] out = new long[values.length - 1];
    System.arraycopy(values, 0, out, 0, i);
    System.arraycopy(values, i + 1, out, i, values.length - i - 1);
    return new LongSet(out);
  }

  /** The number of ids. */
  public int size() {
    return values.length;
  }

  /** The lowest id, or {@code null} when empty. */
  public Long min() {
    return values.length == 0 ? null : values[0];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LongSet other && Arrays.equals(values, other.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return Arrays.toString(values);
  }
}
