package dev.tarjama.transforms.judge;

import dev.tarjama.models.prompt.PromptTemplate;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * The prompt the judge model gets for one pair: a template with {@code {en}} and {@code {ar}}
 * placeholders, both required. Filled in one pass, so braces or placeholder-like strings inside a
 * pair are never expanded.
 *
 * <p>Shipped templates:
 *
 * <ul>
 *   <li>{@link #HALA} ({@code hala}): the judge prompt Hala (arXiv 2509.14008) printed for
 *       filtering OPUS-100, word for word, with the paper's {@code {ar_text}} and {@code
 *       {en_text}} written as this class's {@code {ar}} and {@code {en}}. Its verdict words are
 *       lower case ({@code accept}, {@code reject}); {@link VerdictParser} reads them.
 *   <li>{@link #STRICT} ({@code strict}, the default): Tarjama's own wording, asking for the same
 *       decision and a one-word {@code ACCEPT}/{@code REJECT} answer.
 *   <li>{@link #FAITHFUL} ({@code faithful}): the quality judge's, for machine translations.
 * </ul>
 *
 * <p>Use {@link #fromFile} ({@code --judge-prompt=file:PATH}) or {@link #of} for another
 * wording.
 */
public final class JudgePrompt implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String EN = "{en}";
  public static final String AR = "{ar}";

  /** The shipped strict accept/reject template (Tarjama's wording, see the class comment). */
  public static final String STRICT =
      "You are a strict judge of English-Arabic translation pairs that will be used to train a"
          + " translation model.\n\n"
          + "English:\n{en}\n\n"
          + "Arabic:\n{ar}\n\n"
          + "ACCEPT the pair only if the Arabic is a complete, faithful and fluent translation of"
          + " the English: the same meaning, nothing added and nothing left out, names and numbers"
          + " kept, written in Arabic. REJECT it if the meaning differs even in part, if either"
          + " side is truncated, misaligned, garbled or in the wrong language, or if you are not"
          + " sure.\n\n"
          + "Answer with exactly one word: ACCEPT or REJECT.";

  /** Hala's judge prompt, verbatim but for the placeholders' names (see the class comment). */
  public static final String HALA =
      "You are a strict bilingual judge.\n"
          + "You will be given a translation pair.\n"
          + "Arabic: {ar}\n"
          + "English: {en}\n"
          + "If the English is a correct and natural translation of the Arabic, output only: accept\n"
          + "Otherwise, output only: reject";

  /**
   * The quality judge's prompt ({@code faithful}, for {@code translate --qe-judge}): is a machine
   * translation of one chunk faithful? Tarjama's wording, in the {@link #STRICT} layout, naming the
   * failures a fluent translation can hide: another topic, an answer instead of a translation.
   */
  public static final String FAITHFUL =
      "You are a strict judge of machine translations from English to Arabic. Marks such as ⟦0⟧"
          + " stand for protected text (code, links, math) and appear on both sides.\n\n"
          + "English:\n{en}\n\n"
          + "Arabic:\n{ar}\n\n"
          + "ACCEPT the pair only if the Arabic translates the English: the same meaning, nothing"
          + " added and nothing left out. REJECT it if the Arabic says something else, is about"
          + " another topic, answers, explains or comments on the English instead of translating"
          + " it, stops early, or is not Arabic.\n\n"
          + "Answer with exactly one word: ACCEPT or REJECT.";

  private final String name;
  private final String template;

  private JudgePrompt(String name, String template) {
    this.name = Objects.requireNonNull(name);
    this.template = Objects.requireNonNull(template);
    if (!template.contains(EN) || !template.contains(AR)) {
      throw new IllegalArgumentException(
          "judge prompt " + name + " needs both " + EN + " and " + AR + " placeholders");
    }
  }

  /** The shipped {@code strict} template. */
  public static JudgePrompt strict() {
    return new JudgePrompt("strict", STRICT);
  }

  /** The shipped {@code faithful} template: the quality judge's (see {@link #FAITHFUL}). */
  public static JudgePrompt faithful() {
    return new JudgePrompt("faithful", FAITHFUL);
  }

  /** The shipped {@code hala} template: Hala's own judge prompt. */
  public static JudgePrompt hala() {
    return new JudgePrompt("hala", HALA);
  }

  /** A custom template; it must contain {@code {en}} and {@code {ar}}. */
  public static JudgePrompt of(String template) {
    return new JudgePrompt("custom", template);
  }

  /** A template from a UTF-8 file; one final line break is dropped. */
  public static JudgePrompt fromFile(Path path) {
    return new JudgePrompt("file:" + path, PromptTemplate.readTemplateFile(path));
  }

  /**
   * {@code strict}, {@code hala}, {@code file:PATH}, or a template given inline (it contains {en}
   * and {ar}).
   */
  public static JudgePrompt resolve(String spec) {
    if (spec == null || spec.isEmpty() || spec.equals("strict")) {
      return strict();
    }
    if (spec.equals("hala")) {
      return hala();
    }
    if (spec.equals("faithful")) {
      return faithful();
    }
    if (spec.startsWith("file:")) {
      return fromFile(Path.of(spec.substring("file:".length())));
    }
    if (spec.contains(EN) && spec.contains(AR)) {
      return of(spec);
    }
    throw new IllegalArgumentException(
        "unknown judge prompt '" + spec + "': use strict, hala, faithful, file:PATH or a template with "
            + EN + " and " + AR);
  }

  /** The prompt for one pair. */
  public String render(String en, String ar) {
    return PromptTemplate.fill(template, Map.of(EN, en, AR, ar));
  }

  public String name() {
    return name;
  }

  public String template() {
    return template;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JudgePrompt p && name.equals(p.name) && template.equals(p.template);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, template);
  }

  @Override
  public String toString() {
    return "JudgePrompt{" + name + "}";
  }
}
