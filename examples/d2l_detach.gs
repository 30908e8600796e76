# Dive into Deep Learning (d2l.ai), 2.5.3 "Detaching Computation":
#   x = torch.arange(4.0); x.requires_grad_(True)
#   y = x * x
#   u = y.detach()
#   z = u * x
#   z.sum().backward()
#   x.grad == u  ->  tensor([True, True, True, True])
# u holds y's value, but no gradient flows back through it: z = u * x is differentiated as
# if u were a constant, so dz/dx = u = [0, 1, 4, 9], not the 3x^2 = [0, 3, 12, 27] of x*x*x.
# (d2l then runs y.sum().backward(): without the detach, x.grad == 2 * x. Choose y as the
# output to see it.)
# z is a vector: as d2l's z.sum(), the backward pass seeds ones (the sum of its elements).
x = [0, 1, 2, 3]
y = x * x
u = stop_gradient(y)
z = u * x
