package catalogtest

import "github.com/orchard-oer/orchard/catalog"

func license(id, family string, commercial, derivatives, open bool) catalog.License {
	l := catalog.License{ID: id, Family: family, Commercial: commercial, Derivatives: derivatives,
		ShareAlike: family == "CC-BY-SA", Open: open}
	if id != "" {
		l.URL = "https://example.org/licenses/" + id
		l.Label = id
		l.Evidence = []catalog.Evidence{{From: "dc:rights", Value: l.URL, ID: id}}
	}
	return l
}

// Fixtures is a small catalog in English, German, French and Spanish covering every filter,
// facet and sort key. Fixtures()[i] is fresh each call so tests may change them. Their subjects
// are filed under ISCED-F fields as the normalizer files them.
func Fixtures() []catalog.Record {
	recs := fixtures()
	for i := range recs {
		recs[i].SetFields()
	}
	return recs
}

func fixtures() []catalog.Record {
	conflict := license("CC-BY-4.0", "CC-BY", true, true, true)
	conflict.Conflict = true
	conflict.Evidence = append(conflict.Evidence, catalog.Evidence{From: "html:license", Value: "All rights reserved", ID: "LicenseRef-All-Rights-Reserved"})
	overridden := license("CC-BY-SA-4.0", "CC-BY-SA", true, true, true)
	overridden.Override = &catalog.Override{ID: "CC-BY-SA-4.0", Note: "checked the PDF", By: "librarian", At: "2025-02-03T10:00:00Z"}
	return []catalog.Record{
		{
			ID: "en-photo", Source: "alpha", OriginID: "oai:alpha:1", Datestamp: "2024-01-02T00:00:00Z",
			URL: "https://alpha.example/1", Title: "Photosynthesis in Green Plants",
			Description: "How leaves turn light into sugar: a first look at chlorophyll for cell biology classes.",
			Creators:    []string{"Ada Lovelace"}, Languages: []string{"en"}, Subjects: []string{"Biology"},
			Keywords: []string{"chlorophyll", "leaves"}, ResourceTypes: []string{"text"},
			Date: "2021-03-04", Year: 2021, License: license("CC-BY-4.0", "CC-BY", true, true, true),
			Attribution: "Photosynthesis in Green Plants by Ada Lovelace, CC BY 4.0",
		},
		{
			ID: "de-zelle", Source: "alpha", OriginID: "oai:alpha:2", Datestamp: "2024-01-03T00:00:00Z",
			URL: "https://alpha.example/2", Title: "Übung zur Zellbiologie",
			Description: "Arbeitsblätter mit Lösungen für die Oberstufe.",
			Creators:    []string{"Jürgen Müller"}, Languages: []string{"de"}, Subjects: []string{"Biologie"},
			ResourceTypes: []string{"video"}, Date: "2019", Year: 2019, License: overridden,
			Attribution: "Übung zur Zellbiologie von Jürgen Müller, CC BY-SA 4.0",
		},
		{
			ID: "fr-educ", Source: "beta", OriginID: "https://beta.example/educ", Datestamp: "2023-06-01",
			URL: "https://beta.example/educ", Title: "L'éducation à l'environnement",
			Description: "Des activités pour la classe de sciences.",
			Creators:    []string{"Hélène Dubois"}, Languages: []string{"fr"}, Subjects: []string{"Éducation"},
			ResourceTypes: []string{"text"}, Date: "2018-09", Year: 2018,
			License:     license("CC-BY-NC-4.0", "CC-BY-NC", false, true, false),
			Attribution: "L'éducation à l'environnement, Hélène Dubois, CC BY-NC 4.0",
		},
		{
			ID: "es-nino", Source: "beta", OriginID: "https://beta.example/nino", Datestamp: "2023-06-02",
			URL: "https://beta.example/nino", Title: "El niño y la ciencia",
			Description: "Experimentos de física para niños curiosos.",
			Creators:    []string{"Iñigo Pérez"}, Languages: []string{"es"}, Subjects: []string{"Física"},
			ResourceTypes: []string{"video"}, Year: 2022, License: license("CC0-1.0", "CC0", true, true, true),
			Attribution: "El niño y la ciencia, Iñigo Pérez, CC0 1.0",
		},
		{
			ID: "en-cells", Source: "gamma", OriginID: "gamma-cells", Datestamp: "2022-05-05",
			URL: "https://gamma.example/cells", Title: "Cell Biology & <Membranes>",
			Description: "Membranes and transport in the living cell, with diagrams.",
			Creators:    []string{"Rosalind Franklin", "Barbara McClintock"}, Languages: []string{"en", "de"},
			Subjects: []string{"Biology", "Chemistry"}, ResourceTypes: []string{"text", "image"},
			Date: "2020-01-15", Year: 2020, License: license("CC-BY-ND-4.0", "CC-BY-ND", true, false, false),
			Attribution: "Cell Biology by Rosalind Franklin and Barbara McClintock, CC BY-ND 4.0",
		},
		{
			ID: "en-zebra", Source: "gamma", OriginID: "gamma-zebra", Datestamp: "2022-05-06",
			URL: "https://gamma.example/zebra", Title: "Zebra Stripes",
			Description: "Why do zebras have stripes?", Languages: []string{"en"},
			ResourceTypes: []string{"image"}, License: license("", "", false, false, false),
		},
		{
			ID: "en-apple", Source: "alpha", OriginID: "oai:alpha:3", Datestamp: "2024-02-01T00:00:00Z",
			URL: "https://alpha.example/3", Title: "apple orchards",
			Description: "Growing apples in temperate climates.", Creators: []string{"Johnny Appleseed"},
			Languages: []string{"en"}, Subjects: []string{"Agriculture"}, ResourceTypes: []string{"text"},
			Date: "2021-11", Year: 2021, License: conflict,
		},
		{
			ID: "en-history", Source: "beta", OriginID: "https://beta.example/history", Datestamp: "2020-01-01",
			URL: "https://beta.example/history", Title: "Modern History of Europe",
			Description: "From 1815 to the present.", Languages: []string{"en"}, Subjects: []string{"History"},
			ResourceTypes: []string{"text"}, Year: 2015,
			License: license("LicenseRef-All-Rights-Reserved", "LicenseRef-All-Rights-Reserved", false, false, false),
		},
		{
			ID: "en-hidden", Source: "alpha", OriginID: "oai:alpha:4", Datestamp: "2024-03-01T00:00:00Z",
			URL: "https://alpha.example/4", Title: "Photosynthesis secrets",
			Description: "Withdrawn by a librarian.", Languages: []string{"en"}, ResourceTypes: []string{"text"},
			Year: 2023, License: license("CC-BY-4.0", "CC-BY", true, true, true), Hidden: true,
		},
	}
}
