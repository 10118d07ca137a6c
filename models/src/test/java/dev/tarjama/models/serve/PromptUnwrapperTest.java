package dev.tarjama.models.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tarjama.models.prompt.PromptTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PromptUnwrapperTest {
  private final PromptUnwrapper shipped =
      new PromptUnwrapper(PromptTemplate.names().stream().map(PromptTemplate::named).toList());

  @Test
  void recoversTheTextEachShippedTemplateWasRenderedWith() {
    String text = "Line one: {text} stays.\nLine two <ar> too.";
    for (String name : PromptTemplate.names()) {
      PromptUnwrapper.Unwrapped u = shipped.unwrap(PromptTemplate.named(name).render(text));
      assertEquals(text, u.text(), name);
      assertEquals(name, u.template());
    }
  }

  @Test
  void aPromptThatMatchesNoTemplateIsTheTextItself() {
    PromptUnwrapper.Unwrapped u = shipped.unwrap("Translate from English to French: Hello");
    assertEquals("Translate from English to French: Hello", u.text());
    assertNull(u.template());
    // The seed-x wording without its <ar> tail is not seed-x.
    String cut = "Translate the following English sentence into Arabic:\nHello";
    assertEquals(cut, shipped.unwrap(cut).text());
  }

  @Test
  void customTemplatesWithLanguagesAndRepeatedTextMatchOnlyConsistentPrompts() {
    PromptUnwrapper custom =
        new PromptUnwrapper(
            List.of(
                PromptTemplate.of("{source_lang}: {text}\n{target_lang}:"),
                PromptTemplate.of("<src>{text}</src><copy>{text}</copy>")));
    assertEquals("Good night.", custom.unwrap("English: Good night.\nArabic:").text());
    assertEquals("a b", custom.unwrap("<src>a b</src><copy>a b</copy>").text());
    String inconsistent = "<src>a</src><copy>b</copy>";
    assertEquals(inconsistent, custom.unwrap(inconsistent).text());
  }

  @Test
  void theMostSpecificMatchingTemplateWins() {
    PromptUnwrapper nested =
        new PromptUnwrapper(
            List.of(PromptTemplate.of("Translate: {text}"), PromptTemplate.of("Translate: {text} <ar>")));
    PromptUnwrapper.Unwrapped u = nested.unwrap("Translate: Hi <ar>");
    assertEquals("Hi", u.text());
    assertEquals("Translate: Hi", nested.unwrap("Translate: Translate: Hi").text());
  }
}
