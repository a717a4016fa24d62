package Orchard::OAIStore;

# An in-memory Catmandu store whose bag answers the CQL the OAI-PMH provider sends.

use Catmandu::Sane;
use Moo;
use Orchard::OAIStore::Bag;

extends 'Catmandu::Store::Hash';

1;
