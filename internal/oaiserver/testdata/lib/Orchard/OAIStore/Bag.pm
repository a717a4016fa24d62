package Orchard::OAIStore::Bag;

# A hash bag searchable with the few CQL forms Dancer::Plugin::Catmandu::OAI emits:
# cql.allRecords, FIELD = "v", FIELD exact "v", FIELD >= "v", FIELD <= "v", joined by "and",
# each term optionally in parentheses. A list field matches when any element matches.
# Hits are sorted by datestamp, then _id, so that offset tokens page stably.

use Catmandu::Sane;
use Catmandu::Hits;
use Moo;

extends 'Catmandu::Store::Hash::Bag';
with 'Catmandu::CQLSearchable';

sub translate_sru_sortkeys { return $_[1] }

sub translate_cql_query {
    my ($self, $cql) = @_;
    my @preds;
    for my $term (split /\s+and\s+/i, $cql) {
        $term =~ s/^\s*\(+\s*//;
        $term =~ s/\s*\)+\s*$//;
        next if $term =~ /^cql\.allRecords$/i;
        my ($field, $op, $value) = $term =~ /^(\S+)\s*(=|exact|>=|<=|<|>)\s*"?(.*?)"?$/i
            or die "unsupported CQL term: $term";
        $op = lc $op;
        push @preds, sub {
            my ($rec) = @_;
            my $v = $rec->{$field};
            my @vals = ref $v eq 'ARRAY' ? @$v : defined $v ? ($v) : ();
            for my $x (@vals) {
                return 1 if ($op eq '=' || $op eq 'exact') && $x eq $value;
                return 1 if $op eq '>=' && $x ge $value;
                return 1 if $op eq '<=' && $x le $value;
                return 1 if $op eq '>'  && $x gt $value;
                return 1 if $op eq '<'  && $x lt $value;
            }
            return 0;
        };
    }
    return sub {
        my ($rec) = @_;
        $_->($rec) || return 0 for @preds;
        return 1;
    };
}

sub search {
    my ($self, %args) = @_;
    my $pred  = $args{query} // sub {1};
    my @all   = sort { $a->{datestamp} cmp $b->{datestamp} || $a->{_id} cmp $b->{_id} }
        grep { $pred->($_) } @{$self->to_array};
    my $start = $args{start} // 0;
    my $limit = $args{limit} // 10;
    my $end   = $start + $limit - 1;
    $end = $#all if $end > $#all;
    my @page = $start <= $#all ? @all[$start .. $end] : ();
    return Catmandu::Hits->new(start => $start, limit => $limit, total => scalar @all, hits => \@page);
}

sub searcher { die "not supported" }

sub delete_by_query { die "not supported" }

1;
