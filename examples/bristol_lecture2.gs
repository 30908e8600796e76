# Bristol COMSM0045 Applied Deep Learning, Lecture 2 (Burghardt),
# slides "Relationships in Feedforward Computational Graphs" and
# "Example Calculation: Complete Forward Pass / Backward Pass Layers 1-3".
# At f = 4, g = 2 the slides find da/df = 2fg^2 + 2fg + 5g + 2 = 60,
# summed over three paths f->e->b->a, f->e->c->a and f->d->b->a.
f = 4
g = 2
e = f * g
d = 3 + f
c = e + 2
b = d + e
a = b * c
