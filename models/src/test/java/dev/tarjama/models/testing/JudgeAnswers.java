package dev.tarjama.models.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The judge answerer of {@link FakeOpenAiServer}: it reads the pair out of a prompt made with
 * {@code JudgePrompt.STRICT} ({@code English:\n…\n\nArabic:\n…\n\nACCEPT the pair…}) and answers
 * {@code ACCEPT} when the Arabic is one of the reference translations of the English it was given
 * (e.g. the real Tatoeba file, {@link #tatoebaReferences}), else {@code REJECT}: a judge that is
 * always right. Per English sentence it can instead answer any text ({@link #answer}, to exercise
 * the strict parser) or fail with a status ({@link #fail}).
 *
 * <p>A prompt without the judge's marks is not the judge's: the server gives it to its translator,
 * so one server can translate and judge in the same run.
 */
public final class JudgeAnswers {
  private static final String EN_MARK = "English:\n";
  private static final String AR_MARK = "\n\nArabic:\n";
  private static final String END_MARK = "\n\nACCEPT the pair";

  /** A judge's reply to one prompt: HTTP {@code status} and, when 200, the completion text. */
  record Verdict(int status, String text) {}

  private final Map<String, Set<String>> references;
  private final Map<String, String> answers = new HashMap<>();
  private final Map<String, Integer> failures = new HashMap<>();

  private JudgeAnswers(Map<String, Set<String>> references) {
    this.references = references;
  }

  /** A judge that accepts exactly the Arabic in {@code references} for each English sentence. */
  public static JudgeAnswers of(Map<String, Set<String>> references) {
    return new JudgeAnswers(references);
  }

  /** The reference Arabic translations of each English sentence of a Tatoeba/Anki TSV file. */
  public static Map<String, Set<String>> tatoebaReferences(Path file) throws IOException {
    Map<String, Set<String>> refs = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] cells = line.split("\t", -1);
      if (cells.length >= 2) {
        refs.computeIfAbsent(cells[0], k -> new HashSet<>()).add(cells[1]);
      }
    }
    return refs;
  }

  /** Answer {@code answer} verbatim whenever the English side is {@code en}. */
  public JudgeAnswers answer(String en, String answer) {
    answers.put(en, answer);
    return this;
  }

  /** Answer HTTP {@code status} whenever the English side is {@code en}. */
  public JudgeAnswers fail(String en, int status) {
    failures.put(en, status);
    return this;
  }

  /** Whether {@code prompt} is the strict judge prompt, with its pair in order. */
  boolean recognizes(String prompt) {
    int en = prompt.indexOf(EN_MARK);
    int ar = prompt.indexOf(AR_MARK);
    int end = prompt.indexOf(END_MARK);
    return en >= 0 && ar >= en && end >= ar;
  }

  /** The verdict on a prompt {@link #recognizes} accepted. */
  Verdict verdict(String prompt) {
    int en = prompt.indexOf(EN_MARK);
    int ar = prompt.indexOf(AR_MARK);
    int end = prompt.indexOf(END_MARK);
    String english = prompt.substring(en + EN_MARK.length(), ar);
    String arabic = prompt.substring(ar + AR_MARK.length(), end);
    Integer status = failures.get(english);
    if (status != null) {
      return new Verdict(status, null);
    }
    String answer = answers.get(english);
    if (answer == null) {
      answer = references.getOrDefault(english, Set.of()).contains(arabic) ? "ACCEPT" : "REJECT";
    }
    return new Verdict(200, answer);
  }
}
