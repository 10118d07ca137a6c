package dev.tarjama.models.prompt;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The prompt a translator receives for one chunk: a template with a {@code {text}} placeholder and
 * optional {@code {source_lang}} / {@code {target_lang}} placeholders (default English, Arabic).
 * Any other brace is literal, and the chunk text is inserted as is (one pass, so braces or
 * placeholder-like strings inside the text are never expanded).
 *
 * <p>Shipped templates ({@link #named}):
 *
 * <ul>
 *   <li>{@code hala}: {@code "Translate from English to Arabic: {text}"}, the teacher prompt of
 *       Hala (arXiv 2509.14008, section 2.2), in the paper's own words.
 *   <li>{@code hala-lfm2}: the prompt Hala's paper prints for its LFM2 translator, verbatim:
 *       {@code "You are a professional translation engine. Translate English to Modern Standard
 *       Arabic. Reply ONLY with the Arabic translation—no quotes, notes, or explanations.
 *       Translate everything that follows into Arabic: {text}"} (an em dash, one space between
 *       sentences).
 *   <li>{@code hala-eval}: {@code "Translate everything that follows into Arabic: {text}"}, the
 *       baseline prompt Hala's evaluation gave every system other than its own.
 *   <li>{@code seed-x}: {@code "Translate the following English sentence into Arabic:\n{text}
 *       <ar>"}: the shape of the Seed-X model card example ({@code "... into Chinese:\n...
 *       <zh>"}) for Arabic. Seed-X is a base-style model: send it to a completions endpoint.
 * </ul>
 *
 * <p>The Hala templates name the languages literally (the paper's words), so {@link
 * #withLanguages} does not change them.
 */
public final class PromptTemplate implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String TEXT = "{text}";
  public static final String SOURCE_LANG = "{source_lang}";
  public static final String TARGET_LANG = "{target_lang}";

  private static final Map<String, String> SHIPPED = new LinkedHashMap<>();

  static {
    SHIPPED.put("hala", "Translate from English to Arabic: {text}");
    SHIPPED.put(
        "hala-lfm2",
        "You are a professional translation engine. Translate English to Modern Standard Arabic."
            + " Reply ONLY with the Arabic translation\u2014no quotes, notes, or explanations."
            + " Translate everything that follows into Arabic: {text}");
    SHIPPED.put("hala-eval", "Translate everything that follows into Arabic: {text}");
    SHIPPED.put("seed-x", "Translate the following English sentence into Arabic:\n{text} <ar>");
  }

  private final String name;
  private final String template;
  private final String sourceLang;
  private final String targetLang;

  private PromptTemplate(String name, String template, String sourceLang, String targetLang) {
    this.name = Objects.requireNonNull(name);
    this.template = Objects.requireNonNull(template);
    this.sourceLang = Objects.requireNonNull(sourceLang);
    this.targetLang = Objects.requireNonNull(targetLang);
    if (!template.contains(TEXT)) {
      throw new IllegalArgumentException(
          "prompt template " + name + " has no " + TEXT + " placeholder");
    }
  }

  /** The names {@link #named} knows, in a stable order. */
  public static Set<String> names() {
    return SHIPPED.keySet();
  }

  /** A shipped template by name ({@link #names()}). */
  public static PromptTemplate named(String name) {
    String template = SHIPPED.get(name);
    if (template == null) {
      throw new IllegalArgumentException(
          "unknown prompt template '" + name + "'; known: " + String.join(", ", names())
              + ", or file:PATH");
    }
    return new PromptTemplate(name, template, "English", "Arabic");
  }

  /** A custom template from a string; it must contain {@code {text}}. */
  public static PromptTemplate of(String template) {
    return new PromptTemplate("custom", template, "English", "Arabic");
  }

  /**
   * A custom template from a UTF-8 file. One final line break is dropped (editors add it; a prompt
   * rarely wants it); everything else is kept byte for byte.
   */
  public static PromptTemplate fromFile(Path path) {
    return new PromptTemplate("file:" + path, readTemplateFile(path), "English", "Arabic");
  }

  /**
   * A template file's text: strict UTF-8 (anything else is an error naming the file), one final
   * line break dropped (editors add it; a prompt rarely wants it), the rest byte for byte.
   */
  public static String readTemplateFile(Path path) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(Files.readAllBytes(path)))
              .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("prompt template file is not UTF-8: " + path, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read prompt template file " + path, e);
    }
    if (text.endsWith("\r\n")) {
      text = text.substring(0, text.length() - 2);
    } else if (text.endsWith("\n")) {
      text = text.substring(0, text.length() - 1);
    }
    return text;
  }

  /** {@code file:PATH} → {@link #fromFile}; anything else → {@link #named}. */
  public static PromptTemplate resolve(String spec) {
    if (spec.startsWith("file:")) {
      return fromFile(Path.of(spec.substring("file:".length())));
    }
    return named(spec);
  }

  /** The same template with other language names for {@code {source_lang}}/{@code {target_lang}}. */
  public PromptTemplate withLanguages(String source, String target) {
    return new PromptTemplate(name, template, source, target);
  }

  /** The prompt for one text. */
  public String render(String text) {
    return fill(template, Map.of(TEXT, text, SOURCE_LANG, sourceLang, TARGET_LANG, targetLang));
  }

  /**
   * {@code template} with each placeholder (a key of {@code values}, none a prefix of another)
   * replaced in one left-to-right pass: inserted values are never scanned again, so a text that
   * itself contains "{text}" stays as it is.
   */
  public static String fill(String template, Map<String, String> values) {
    int extra = 0;
    for (String v : values.values()) {
      extra += v.length();
    }
    StringBuilder out = new StringBuilder(template.length() + extra);
    int i = 0;
    scan:
    while (i < template.length()) {
      if (template.charAt(i) == '{') {
        for (Map.Entry<String, String> e : values.entrySet()) {
          if (template.startsWith(e.getKey(), i)) {
            out.append(e.getValue());
            i += e.getKey().length();
            continue scan;
          }
        }
      }
      out.append(template.charAt(i++));
    }
    return out.toString();
  }

  /** {@code hala}, {@code hala-lfm2}, {@code hala-eval}, {@code seed-x}, {@code custom} or {@code file:PATH}. */
  public String name() {
    return name;
  }

  public String template() {
    return template;
  }

  public String sourceLang() {
    return sourceLang;
  }

  public String targetLang() {
    return targetLang;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PromptTemplate p
        && name.equals(p.name)
        && template.equals(p.template)
        && sourceLang.equals(p.sourceLang)
        && targetLang.equals(p.targetLang);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, template, sourceLang, targetLang);
  }

  @Override
  public String toString() {
    return "PromptTemplate{" + name + "}";
  }
}
