package dev.tarjama.transforms.domain;

/**
 * One part of a field's reassembly plan: either the translation of chunk {@code chunkIndex}, or
 * ({@code chunkIndex < 0}) {@code text} copied verbatim (protected blocks, and the whitespace
 * around chunks that translators do not keep reliably).
 *
 * @param chunkIndex the chunk whose translation goes here, or -1 for verbatim text
 * @param text the verbatim text ("" for a chunk)
 */
public record PlanPart(int chunkIndex, String text) {
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
  public String toString() {
    return isChunk() ? "chunk#" + chunkIndex : "verbatim(" + text + ")";
  }
}
