package license

// wording is the words of an attribution in one language. A verb holds %s where the tool's
// name goes.
type wording struct {
	open, close string // around a title in plain text
	by          string
	// thisWork names a work without a title; thisWorkInClause after a lead.
	thisWork, thisWorkInClause string
	// leads begin a modification notice, by the change.
	leads map[string]string
	// verbs join the work to its tool; clauses do in a modification notice.
	verbs, clauses                  map[string]string
	unknown, publicDomain, reserved string
	view, see                       string
}

var english = wording{
	open: `"`, close: `"`, by: " by ",
	thisWork: "This work", thisWorkInClause: "this work",
	leads: map[string]string{},
	verbs: map[string]string{
		"licensed": " is licensed under %s", "marked": " is marked with %s",
		"dedicated": " is dedicated to the public domain under %s", "public": " is in the %s",
		"reserved": " is protected by copyright: %s", "statement": " carries the rights statement %s",
	},
	clauses: map[string]string{
		"licensed": ", which is licensed under %s", "marked": ", which is marked with %s",
		"dedicated": ", which is dedicated to the public domain under %s", "public": ", which is in the %s",
		"reserved": ", which is protected by copyright: %s", "statement": ", which carries the rights statement %s",
	},
	unknown: "an unknown license", publicDomain: "public domain", reserved: "all rights reserved",
	view: " To view a copy of this license, visit ", see: " See ",
}

var translated = map[string]*wording{
	"de": {
		open: "„", close: "“", by: " von ",
		thisWork: "Dieses Werk", thisWorkInClause: "diesem Werk",
		leads: map[string]string{ChangeAdapted: "Bearbeitet nach ", ChangeTranslated: "Übersetzt aus "},
		verbs: map[string]string{
			"licensed": " ist lizenziert unter %s", "marked": " ist gekennzeichnet mit %s",
			"dedicated": " ist mit %s der Gemeinfreiheit gewidmet", "public": " ist %s",
			"reserved": " ist urheberrechtlich geschützt: %s", "statement": " trägt die Rechteangabe %s",
		},
		clauses: map[string]string{
			"licensed": ", lizenziert unter %s", "marked": ", gekennzeichnet mit %s",
			"dedicated": ", mit %s der Gemeinfreiheit gewidmet", "public": ", %s",
			"reserved": ", urheberrechtlich geschützt: %s", "statement": ", mit der Rechteangabe %s",
		},
		unknown: "einer unbekannten Lizenz", publicDomain: "gemeinfrei", reserved: "alle Rechte vorbehalten",
		view: " Eine Kopie dieser Lizenz finden Sie unter ", see: " Siehe ",
	},
	"fr": {
		open: "« ", close: " »", by: " par ",
		thisWork: "Cette œuvre", thisWorkInClause: "cette œuvre",
		leads: map[string]string{ChangeAdapted: "Adapté de ", ChangeTranslated: "Traduit de "},
		verbs: map[string]string{
			"licensed": " est diffusé sous %s", "marked": " porte la marque %s",
			"dedicated": " relève du domaine public en vertu de %s", "public": " relève du %s",
			"reserved": " est protégé par le droit d'auteur : %s", "statement": " porte la mention de droits %s",
		},
		clauses: map[string]string{
			"licensed": ", diffusé sous %s", "marked": ", portant la marque %s",
			"dedicated": ", relevant du domaine public en vertu de %s", "public": ", relevant du %s",
			"reserved": ", protégé par le droit d'auteur : %s", "statement": ", portant la mention de droits %s",
		},
		unknown: "une licence inconnue", publicDomain: "domaine public", reserved: "tous droits réservés",
		view: " Pour voir une copie de cette licence, visitez ", see: " Voir ",
	},
	"es": {
		open: "«", close: "»", by: " de ",
		thisWork: "Esta obra", thisWorkInClause: "esta obra",
		leads: map[string]string{ChangeAdapted: "Adaptado de ", ChangeTranslated: "Traducido de "},
		verbs: map[string]string{
			"licensed": " está bajo %s", "marked": " lleva la marca %s",
			"dedicated": " está dedicado al dominio público mediante %s", "public": " está en el %s",
			"reserved": " está protegido por derechos de autor: %s", "statement": " lleva la declaración de derechos %s",
		},
		clauses: map[string]string{
			"licensed": ", bajo %s", "marked": ", que lleva la marca %s",
			"dedicated": ", dedicado al dominio público mediante %s", "public": ", en el %s",
			"reserved": ", protegido por derechos de autor: %s", "statement": ", con la declaración de derechos %s",
		},
		unknown: "una licencia desconocida", publicDomain: "dominio público", reserved: "todos los derechos reservados",
		view: " Para ver una copia de esta licencia, visite ", see: " Véase ",
	},
}

// wordingOf returns a language's wording; English for a language Orchard does not write.
func wordingOf(lang string) *wording {
	if p, ok := translated[lang]; ok {
		return p
	}
	return &english
}
