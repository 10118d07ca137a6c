package dev.tarjama.models.local;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lets a sentence-level MT model (Opus-MT, NLLB, the bundled tiny models) serve whole chunks:
 * each text is cut at line breaks, at placeholders ⟦n⟧ and after sentence ends; only the pieces
 * with letters go to the model, in one batch; line breaks, placeholders and symbols are put back
 * where they were. An LLM behind {@code tarjama serve} does not need this; a seq2seq model drops
 * line breaks and garbles placeholders without it.
 *
 * <p>The sentence cut is a plain rule (after {@code . ! ?} followed by a space and a capital),
 * because this class lives without the pipeline's ICU splitter; the pipeline's own local backend
 * cuts with ICU before the model is called.
 */
public final class SentenceWiseTranslator implements Translator {
  private static final Pattern KEPT = Pattern.compile("\u27E6\\d{1,4}\u27E7|\\s*\\n\\s*");
  private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])\\s+(?=[\\p{Lu}\"'(])");
  private static final Pattern LETTER = Pattern.compile("\\p{L}");

  private final Translator model;

  public SentenceWiseTranslator(Translator model) {
    this.model = model;
  }

  @Override
  public List<List<Translation>> translate(List<String> sources, Decoding decoding) {
    return translateWithin(sources, decoding, Integer.MAX_VALUE);
  }

  /**
   * As {@link #translate}, with {@code maxTokens} spent over each text's pieces in order: the
   * decoding's limits hold per piece (a sentence-level model's own limit), the budget for the
   * whole text. The piece that would overrun the budget is translated again with what is left of
   * it (the model cuts it, so the count stays the model's own), and what follows is dropped.
   */
  @Override
  public List<List<Translation>> translateWithin(
      List<String> sources, Decoding decoding, int maxTokens) {
    Decoding perPiece =
        maxTokens >= decoding.maxLength()
            ? decoding
            : decoding.withMaxLength(decoding.maxLengthRatio(), decoding.maxLengthSlack(), maxTokens);
    List<List<String>> partsPerSource = new ArrayList<>();
    List<String> batch = new ArrayList<>();
    for (String source : sources) {
      List<String> parts = split(source);
      partsPerSource.add(parts);
      for (String part : parts) {
        if (translatable(part)) {
          batch.add(part.strip());
        }
      }
    }
    List<List<Translation>> translated =
        batch.isEmpty() ? List.of() : model.translate(batch, perPiece);
    List<List<Translation>> out = new ArrayList<>();
    int next = 0;
    for (List<String> parts : partsPerSource) {
      List<Translation> candidates = new ArrayList<>();
      for (int k = 0; k < decoding.candidates(); k++) {
        candidates.add(assemble(parts, translated, next, k, perPiece, maxTokens));
      }
      next += (int) parts.stream().filter(SentenceWiseTranslator::translatable).count();
      out.add(candidates);
    }
    return out;
  }

  /** Candidate {@code k} of one text from its pieces' translations, within {@code budget}. */
  private Translation assemble(
      List<String> parts,
      List<List<Translation>> translated,
      int first,
      int k,
      Decoding perPiece,
      int budget) {
    StringBuilder text = new StringBuilder();
    int sourceTokens = 0;
    int targetTokens = 0;
    boolean truncated = false;
    boolean spent = false;
    int cursor = first;
    for (String part : parts) {
      if (!translatable(part)) {
        text.append(part);
        continue;
      }
      Translation t = translated.get(cursor++).get(k);
      int left = budget - targetTokens;
      if (t.targetTokens() > left) {
        // Over the budget: this piece again with the tokens left, and nothing after it.
        sourceTokens += t.sourceTokens();
        if (left > 0) {
          Decoding rest =
              perPiece.withMaxLength(perPiece.maxLengthRatio(), perPiece.maxLengthSlack(), left);
          Translation cut = model.translate(List.of(part.strip()), rest).get(0).get(k);
          text.append(leading(part)).append(cut.text());
          targetTokens += Math.min(cut.targetTokens(), left);
        }
        truncated = true;
        spent = true;
        break;
      }
      // Keep the part's own outer whitespace: the model strips it.
      text.append(leading(part)).append(t.text()).append(trailing(part));
      sourceTokens += t.sourceTokens();
      targetTokens += t.targetTokens();
      truncated |= t.truncated();
    }
    // A budget spent before a piece leaves the separators before it dangling.
    String result = spent ? text.toString().stripTrailing() : text.toString();
    return new Translation(result, sourceTokens, targetTokens, truncated);
  }

  /** The text cut into kept separators and prose sentences; concatenated, they give it back. */
  static List<String> split(String text) {
    List<String> parts = new ArrayList<>();
    Matcher m = KEPT.matcher(text);
    int at = 0;
    while (m.find()) {
      addSentences(parts, text.substring(at, m.start()));
      parts.add(m.group());
      at = m.end();
    }
    addSentences(parts, text.substring(at));
    return parts;
  }

  private static void addSentences(List<String> parts, String prose) {
    if (prose.isEmpty()) {
      return;
    }
    Matcher m = SENTENCE_END.matcher(prose);
    int at = 0;
    while (m.find()) {
      parts.add(prose.substring(at, m.start()));
      parts.add(m.group());
      at = m.end();
    }
    parts.add(prose.substring(at));
  }

  private static boolean translatable(String part) {
    return !KEPT.matcher(part).matches() && LETTER.matcher(part).find();
  }

  private static String leading(String s) {
    return s.substring(0, s.length() - s.stripLeading().length());
  }

  private static String trailing(String s) {
    return s.substring(s.stripTrailing().length());
  }

  @Override
  public int countSourceTokens(String text) {
    return model.countSourceTokens(text);
  }

  @Override
  public String describe() {
    return model.describe() + ", sentence by sentence";
  }

  @Override
  public void close() {
    model.close();
  }
}
