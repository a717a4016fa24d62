#!/usr/bin/perl
# Orchard's test OAI-PMH repository: Dancer::Plugin::Catmandu::OAI over an in-memory store.
# Usage: perl app.pl CONFIG.json
# CONFIG holds port, page_size, granularity, earliest, deleted_record, sets [{spec, name}] and records
# [{_id, datestamp, setSpec [], deleted, title [], creator [], …}].

use strict;
use warnings;
use File::Basename qw(dirname);
use File::Spec;
use lib File::Spec->catdir(dirname(File::Spec->rel2abs(__FILE__)), 'lib');
use JSON ();
use Dancer ':syntax';
use Catmandu;
use Dancer::Plugin::Catmandu::OAI;

my $dir = dirname(File::Spec->rel2abs(__FILE__));
sub slurp {
    open my $fh, '<:raw', $ARGV[0] or die "open $ARGV[0]: $!";
    my $text = do { local $/; <$fh> };
    close $fh;
    return $text;
}
my $text = slurp();
my $cfg = JSON->new->utf8->decode($text);

Catmandu->config->{store}{oai} = {package => '+Orchard::OAIStore'};
my $bag = Catmandu->store('oai')->bag('data');
$bag->add($_) for @{$cfg->{records}};

# A test may rewrite the records between requests: the repository then holds the new ones.
hook before => sub {
    my $now = slurp();
    return if $now eq $text;
    $text = $now;
    $bag->delete_all;
    $bag->add($_) for @{JSON->new->utf8->decode($now)->{records}};
};

my $port = $cfg->{port};
set appdir       => $dir;
set port         => $port;
set server       => '127.0.0.1';
set logger       => 'console';
set log          => 'error';
set startup_info => 0;
set charset      => 'UTF-8';

oai_provider '/oai',
    store                => 'oai',
    bag                  => 'data',
    datestamp_field      => 'datestamp',
    repositoryName       => 'Orchard test repository',
    uri_base             => "http://127.0.0.1:$port/oai",
    adminEmail           => 'admin@orchard.test',
    earliestDatestamp    => $cfg->{earliest},
    deletedRecord        => $cfg->{deleted_record},
    repositoryIdentifier => 'orchard.test',
    granularity          => $cfg->{granularity},
    limit                => $cfg->{page_size},
    delimiter            => ':',
    sampleIdentifier     => 'oai:orchard.test:1',
    metadata_formats     => [{
        metadataPrefix    => 'oai_dc',
        schema            => 'http://www.openarchives.org/OAI/2.0/oai_dc.xsd',
        metadataNamespace => 'http://www.openarchives.org/OAI/2.0/oai_dc/',
        template          => File::Spec->catfile($dir, 'oai_dc.tt'),
    }],
    sets => [map { {setSpec => $_->{spec}, setName => $_->{name}, cql => qq|setSpec = "$_->{spec}"|} } @{$cfg->{sets}}],
    deleted       => sub { $_[0]->{deleted} },
    set_specs_for => sub { $_[0]->{setSpec} // [] };

dance;
