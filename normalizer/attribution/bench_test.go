package attribution

import (
	"strings"
	"testing"
)

func BenchmarkCheck(b *testing.B) {
	inputs := map[string]string{
		"text":           `"Photosynthesis in Green Plants" (https://oer.example.org/records/photosynthesis) by Ada Lovelace is licensed under CC BY 4.0. To view a copy of this license, visit https://creativecommons.org/licenses/by/4.0/`,
		"html":           `<p><a href="https://oer.example.org/records/photosynthesis">Photosynthesis in Green Plants</a> by Ada Lovelace is licensed under <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>.</p>`,
		"64KiB starters": strings.Repeat("CC ", MaxSize/3),
		"64KiB italics":  strings.Repeat("<i>", MaxSize/3),
		"64KiB emphasis": strings.Repeat("*a* ", MaxSize/4),
		"64KiB quotes":   strings.Repeat(`"ab" `, MaxSize/5),
		"64KiB links":    strings.Repeat(`<a href="https://x.org/">by Ab</a>`, MaxSize/34),
		"64KiB":          strings.Repeat("Photosynthesis in Green Plants by Ada Lovelace, CC BY 4.0. ", MaxSize/60),
	}
	for name, in := range inputs {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Check(ada, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
