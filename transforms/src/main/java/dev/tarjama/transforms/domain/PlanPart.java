package dev.tarjama.transforms.domain;

import java.util.Objects;

/**
 * One part of a field's reassembly plan: either the translation of chunk {@code chunkIndex}, or
 * ({@code chunkIndex < 0}) {@code text} copied verbatim (protected blocks, and the whitespace
 * around chunks that translators do not keep reliably).
 */
public final class PlanPart {
  public final int chunkIndex;
  public final String text;

  public PlanPart(int chunkIndex, String text) {
    this.chunkIndex = chunkIndex;
    this.text = text;
  }

  public static PlanPart verbatim(String text) {
    return new PlanPart(-1, text);
  }

  public static PlanPart chunk(int chunkIndex) {
    return new PlanPart(chunkIndex, "");
  }

  public boolean isChunk() {
    return chunkIndex >= 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PlanPart p && chunkIndex == p.chunkIndex && text.equals(p.text);
  }

  @Override
  public int hashCode() {
    return Objects.hash(chunkIndex, text);
  }

  @Override
  public String toString() {
    return isChunk() ? "chunk#" + chunkIndex : "verbatim(" + text + ")";
  }
}
