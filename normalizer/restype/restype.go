// Package restype normalizes resource types to Orchard's small vocabulary, so that learners
// can filter by kind of resource whatever vocabulary a source used.
//
// The vocabulary (Vocabulary) is: article, assessment, audio, book, course, dataset, exercise,
// image, interactive, lesson, presentation, software, text, video, other.
//
// Rules, applied in order:
//  1. A URI is reduced to its last path segment or fragment, so DCMI Type URIs
//     (http://purl.org/dc/dcmitype/MovingImage), HCRT (https://w3id.org/kim/hcrt/worksheet),
//     info:eu-repo/semantics/article and similar read as their term.
//  2. The term, lower-cased, with camelCase, "_" and "-" split into words, is looked up in one
//     table holding the DCMI Type vocabulary, HCRT, the LOM learningResourceType values, the
//     info:eu-repo publication types, the MARC and MODS type names and common English, German,
//     Portuguese and Spanish words (Arbeitsblatt → exercise, Dissertação → text).
//  3. Otherwise each word is looked up alone and the most specific match wins, in the order of
//     specificity: video, audio, image, presentation, interactive, software, dataset,
//     assessment, exercise, lesson, course, book, article, text, other ("journal article" →
//     article, "text_book" → book, "sound recording-nonmusical" → audio).
//
// Terms that are known but fit no class (DCMI Event, PhysicalObject, Service, Collection;
// info:eu-repo other) give "other". Unknown terms give "" and ok false.
package restype

import (
	"strings"
	"unicode"
)

// Orchard's resource types.
const (
	Article      = "article"
	Assessment   = "assessment"
	Audio        = "audio"
	Book         = "book"
	Course       = "course"
	Dataset      = "dataset"
	Exercise     = "exercise"
	Image        = "image"
	Interactive  = "interactive"
	Lesson       = "lesson"
	Presentation = "presentation"
	Software     = "software"
	Text         = "text"
	Video        = "video"
	Other        = "other"
)

// Vocabulary lists Orchard's resource types from the most specific to the least; rule 3
// prefers earlier ones.
var Vocabulary = []string{Video, Audio, Image, Presentation, Interactive, Software, Dataset,
	Assessment, Exercise, Lesson, Course, Book, Article, Text, Other}

var rank = func() map[string]int {
	m := map[string]int{}
	for i, t := range Vocabulary {
		m[t] = i
	}
	return m
}()

// terms maps lower-cased terms, words separated by single spaces, to types.
var terms = map[string]string{
	// DCMI Type.
	"text": Text, "image": Image, "still image": Image, "moving image": Video, "sound": Audio,
	"dataset": Dataset, "software": Software, "interactive resource": Interactive,
	"collection": Other, "event": Other, "physical object": Other, "service": Other,
	// HCRT and LRMI.
	"application": Software, "assessment": Assessment, "audio": Audio, "case study": Text,
	"course": Course, "data": Dataset, "diagram": Image, "drill and practice": Exercise,
	"educational game": Interactive, "experiment": Exercise, "index": Other, "lesson plan": Lesson,
	"map": Image, "portal": Other, "questionnaire": Assessment, "reference material": Text,
	"script": Text, "simulation": Interactive, "textbook": Book, "tool": Software, "video": Video,
	"web page": Text, "wiki": Text, "worksheet": Exercise, "other": Other, "demonstration": Presentation,
	"slide": Presentation, "quiz": Assessment, "game": Interactive,
	// LOM learningResourceType.
	"exercise": Exercise, "figure": Image, "graph": Image, "table": Text, "narrative text": Text,
	"exam": Assessment, "problem statement": Exercise, "self assessment": Assessment, "lecture": Lesson,
	// info:eu-repo publication types and other repository words.
	"article": Article, "journal article": Article, "contribution to periodical": Article,
	"review": Article, "preprint": Article, "conference object": Article, "conference paper": Article,
	"paper": Article, "book": Book, "book part": Book, "book chapter": Book, "chapter": Book,
	"bachelor thesis": Text, "master thesis": Text, "doctoral thesis": Text, "thesis": Text,
	"dissertation": Text, "report": Text, "working paper": Text, "patent": Text, "annotation": Text,
	"website": Text, "webpage": Text, "serial": Text, "periodical": Text, "printed serial": Text,
	"manuscript": Text, "letter": Text, "newspaper": Text, "pamphlet": Text, "poster": Image,
	// Common free text.
	"film": Video, "movie": Video, "audiovisual": Video, "audio visual": Video, "screencast": Video,
	"podcast": Audio, "music": Audio, "recording": Audio, "photograph": Image, "photographs": Image,
	"photo": Image, "picture": Image, "illustration": Image, "drawing": Image, "painting": Image,
	"cartographic": Image, "still": Image, "presentation": Presentation, "slides": Presentation,
	"slideshow": Presentation, "powerpoint": Presentation, "mooc": Course, "lesson": Lesson,
	"unit": Lesson, "test": Assessment, "interactive": Interactive, "h5p": Interactive,
	"animation": Interactive, "code": Software, "app": Software, "articles": Article, "books": Book,
	"text book": Book, "video lecture": Video, "learning object": Other, "research highlights": Article,
	"misc": Other, "conference": Article, "journal": Text, "plan or blueprint": Image,
	"instructional material": Other, "yüksek lisans": Text, "doktora": Text, "tcc": Text,
	"exercicio": Exercise,
	// German.
	"arbeitsblatt": Exercise, "übung": Exercise, "übungsblatt": Exercise, "aufgabe": Exercise,
	"aufgabensammlung": Exercise, "prüfung": Assessment, "klausur": Assessment, "lernkontrolle": Assessment,
	"unterrichtseinheit": Lesson, "unterrichtsentwurf": Lesson, "unterrichtsplanung": Lesson,
	"kurs": Course, "lehrbuch": Book, "schulbuch": Book, "buch": Book, "artikel": Article,
	"bild": Image, "foto": Image, "tafelbild": Image, "karte": Image, "präsentation": Presentation,
	"lernspiel": Interactive, "hörbeitrag": Audio, "audiodatei": Audio,
	"datensatz": Dataset, "lehrmaterial": Other, "unterrichtsmaterial": Other,
	// Portuguese and Spanish.
	"texto": Text, "artigo": Article, "artículo": Article, "livro": Book, "libro": Book,
	"dissertação": Text, "tese": Text, "tesis": Text, "vídeo": Video, "imagem": Image, "imagen": Image,
	"áudio": Audio, "apresentação": Presentation, "presentación": Presentation, "curso": Course,
	"aula": Lesson, "exercício": Exercise, "ejercicio": Exercise, "avaliação": Assessment,
	"evaluación": Assessment, "simulação": Interactive, "simulacao": Interactive, "simulación": Interactive,
	"jogo": Interactive, "juego": Interactive, "animação": Interactive, "mapa": Image,
}

// Normalize maps a resource type value to Orchard's vocabulary; ok is false when it names
// nothing Orchard knows.
func Normalize(s string) (typ string, ok bool) {
	s = strings.Trim(s, " \t\r\n;,.")
	if i := strings.LastIndexAny(s, "/#"); i >= 0 && strings.Contains(s, ":") {
		s = s[i+1:]
	}
	words := split(s)
	if len(words) == 0 {
		return "", false
	}
	if t, ok := terms[strings.Join(words, " ")]; ok {
		return t, true
	}
	best := ""
	for _, w := range words {
		if t, ok := terms[w]; ok && (best == "" || rank[t] < rank[best]) {
			best = t
		}
	}
	return best, best != ""
}

// split lower-cases s and splits it into words at spaces, punctuation and camelCase humps
// ("MovingImage", "bachelorThesis").
func split(s string) []string {
	var words []string
	var b strings.Builder
	prevLower := false
	flush := func() {
		if b.Len() > 0 {
			words = append(words, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if unicode.IsUpper(r) && prevLower {
				flush()
			}
			prevLower = unicode.IsLower(r)
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
			prevLower = false
		}
	}
	flush()
	return words
}
