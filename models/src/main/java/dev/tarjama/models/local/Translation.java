package dev.tarjama.models.local;

/**
 * One translated text with the token counts a report and a cost estimate need; {@code truncated}
 * when the model stopped at its length limit instead of ending the sentence itself (a cut
 * translation, the local form of {@code finish_reason: length}).
 */
public record Translation(String text, int sourceTokens, int targetTokens, boolean truncated) {
  /** A translation the model ended by itself. */
  public Translation(String text, int sourceTokens, int targetTokens) {
    this(text, sourceTokens, targetTokens, false);
  }
}
